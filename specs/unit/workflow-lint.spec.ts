// Protects the CI workflow: it passes actionlint and the pinning rule, and the lint really fails a broken
// workflow (a linter that passes everything would guard nothing).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatFinding,
  lintWorkflow,
  lintWorkflows,
  WORKFLOWS_DIR,
} from '../../helpers/ci/lint-workflows.ts';

const CI = readFileSync(join(WORKFLOWS_DIR, 'ci.yml'), 'utf8');

/** The CI workflow with one edit: each one must be caught. */
const breakages = [
  {
    name: 'a job needing a job that does not exist',
    edit: (text: string) => text.replace('needs: can-i-deploy', 'needs: can-i-deploy-typo'),
    kind: 'job-needs',
  },
  {
    name: 'an expression on an unknown context property',
    edit: (text: string) => text.replace("github.ref != 'refs/heads/main'", "github.branch != 'main'"),
    kind: 'expression',
  },
  {
    name: 'an action pinned to a movable tag',
    edit: (text: string) =>
      text.replace(
        'actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0',
        'actions/checkout@v4',
      ),
    kind: 'pinning',
  },
  {
    name: 'a step with both run and uses',
    edit: (text: string) =>
      text.replace('      - run: npm run typecheck', '      - run: npm run typecheck\n        uses: ./x'),
    kind: 'syntax-check',
  },
];

describe('GitHub Actions workflows', () => {
  it('pass actionlint, with every action pinned to a commit', async () => {
    expect((await lintWorkflows()).map(formatFinding)).toEqual([]);
  });

  it.each(breakages)('reject $name', async ({ edit, kind }) => {
    const broken = edit(CI);
    expect(broken, 'the edit must change the workflow').not.toBe(CI);
    const findings = await lintWorkflow(broken, 'ci.yml');
    expect(findings.map((finding) => finding.kind)).toContain(kind);
  });

  it('make npm run lint:workflows exit 1 and print the finding', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workflows-'));
    try {
      writeFileSync(join(dir, 'ci.yml'), breakages[0]!.edit(CI));
      const run = await new Promise<{ code: number; output: string }>((resolve) =>
        execFile('npm', ['run', '--silent', 'lint:workflows', '--', dir], (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
        ),
      );
      expect(run.code).toBe(1);
      expect(run.output).toContain('needs job "can-i-deploy-typo" which does not exist');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
