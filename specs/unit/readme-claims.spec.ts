// Protects README claims that go stale silently: the gate's spec file count in the sample output, and
// `test:coverage` being the gate (`npm test`'s projects) with coverage, not every project.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const README = readFileSync(new URL('README.md', root), 'utf8');
const scripts = (
  JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;
/** The projects `npm test` runs: the gate. */
const GATE = ['unit', 'integration', 'contract'];

describe('the README', () => {
  it("shows npm test running as many spec files as the gate's projects hold", () => {
    const files = GATE.flatMap((project) =>
      readdirSync(new URL(`specs/${project}/`, root)).filter((name) => name.endsWith('.spec.ts')),
    );
    const shown = README.match(/Test Files {2}(\d+) passed \((\d+)\)/);
    expect(shown?.slice(1).map(Number)).toEqual([files.length, files.length]);
  });

  it('calls test:coverage the gate with coverage, and it runs the gate projects only', () => {
    expect(README).toMatch(/\| `npm run test:coverage` +\| the gate with V8 coverage/);
    const projects = (script: string | undefined) =>
      [...(script ?? '').matchAll(/--project (\S+)/g)].map((match) => match[1]).sort();
    expect(projects(scripts.test)).toEqual([...GATE].sort());
    expect(projects(scripts['test:coverage'])).toEqual(projects(scripts.test));
    expect(scripts['test:coverage']).toContain('--coverage');
  });
});
