// `npm run flake-hunt`: runs a command (by default `npm test`) N times, optionally as two or more copies
// side by side, and prints each run's verdict and wall time, the names of the tests that failed, and a
// summary. Load from busy loops does not bring a Kafka race out; a second suite with its own broker and
// clients beside the first does, so that is what `--copies 2` makes. Copies after the first run in
// throwaway copies of the working tree (their own vitest cache and reports, the same node_modules).
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const USAGE = `Usage: npm run flake-hunt -- [--runs N] [--copies C] [--stop-early] [-- <command...>]

Runs <command> (default: npm test) N times in each of C copies running side by side, and prints every
run's verdict, wall time and failing tests, then a summary. Exits 1 when any run failed, 2 on a usage
error.

  --runs N       runs per copy (default 10)
  --copies C     copies side by side, each in its own folder (default 1; 2 brings races out)
  --stop-early   stop every copy at the first failure
  -h, --help     this text

Examples:
  npm run flake-hunt -- --runs 10 --copies 2
  KAFKA_PROVIDER=testcontainers npm run flake-hunt -- --runs 5 --copies 2
  npm run flake-hunt -- --runs 50 --copies 2 -- npm run verify
  npm run flake-hunt -- --runs 20 -- npx vitest run specs/integration/faults-restarts.spec.ts`;

/** What one run of the command did. */
interface RunResult {
  copy: number;
  run: number;
  ok: boolean;
  code: number | string | null;
  ms: number;
  failures: string[];
}

/**
 * What failed in a run's output: vitest's summary lines (`FAIL  project  file > describe > test`),
 * failed verify steps (`FAIL  step (12 ms)`), or else the last line printed, so no failure goes unnamed.
 */
export function failedTestNames(output: string): string[] {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are what is stripped here.
  const lines = output.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
  const names = new Set<string>();
  for (const line of lines) {
    // `FAIL  project  file > describe > test`, or `FAIL  project  file [ file ]` for a suite that failed to start.
    const test = /^\s*FAIL\s+(?:\S+\s+)?(\S+\.spec\.ts(?: > .+)?)(?:\s+\[ \S+ \])?\s*$/.exec(line);
    if (test?.[1]) names.add(test[1]);
    const step = /^FAIL {2}(?!verify against)(.+?) \(\d[^)]*\)$/.exec(line);
    if (step?.[1]) names.add(`verify step "${step[1]}"`);
  }
  if (names.size === 0) {
    const last = lines
      .map((line) => line.trim())
      .filter(Boolean)
      .at(-1);
    if (last) names.add(last);
  }
  return [...names];
}

/** A copy of the working tree (tracked and untracked files and .git, no node_modules) with links to its packages. */
function makeCopy(parent: string, index: number): string {
  const dir = join(parent, `copy-${index}`);
  cpSync(ROOT, dir, {
    recursive: true,
    // .git comes along: specs ask git for the branch and commit (the Pact publish spec does).
    filter: (source) => !/\/(node_modules|reports|\.tools)(\/|$)/.test(source.slice(ROOT.length - 1)),
  });
  // Every package linked, but not node_modules/.vite: vitest writes its results cache there.
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry !== '.vite') symlinkSync(join(ROOT, 'node_modules', entry), join(modules, entry));
  }
  return dir;
}

/** Runs the command once in `cwd`, collecting its output; resolves with the verdict. */
function runOnce(command: string[], cwd: string, copy: number, run: number): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const [file, ...args] = command;
    const child = spawn(file ?? 'npm', args, { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.on('close', (code, signal) => {
      const ok = code === 0;
      resolve({
        copy,
        run,
        ok,
        code: code ?? signal,
        ms: performance.now() - started,
        failures: ok ? [] : failedTestNames(output),
      });
      if (!ok) {
        const log = join(tmpdir(), `flake-hunt-copy${copy}-run${run}.log`);
        writeFileSync(log, output);
        console.log(`  output of copy ${copy} run ${run}: ${log}`);
      }
    });
  });
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Usage problems of the command line, all at once; empty when it is fine. */
export function usageProblems(values: { runs?: string; copies?: string }): string[] {
  const problems: string[] = [];
  for (const [flag, value] of Object.entries({ runs: values.runs, copies: values.copies })) {
    if (value !== undefined && !/^[1-9]\d*$/.test(value))
      problems.push(`--${flag} takes a whole number >= 1, got "${value}"`);
  }
  return problems;
}

async function main(argv: string[]): Promise<number> {
  const split = argv.indexOf('--');
  const own = split === -1 ? argv : argv.slice(0, split);
  const command = split === -1 ? ['npm', 'test'] : argv.slice(split + 1);
  let values: { runs?: string; copies?: string; help?: boolean; 'stop-early'?: boolean };
  try {
    ({ values } = parseArgs({
      args: own,
      options: {
        runs: { type: 'string' },
        copies: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        'stop-early': { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`flake-hunt: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const problems = usageProblems(values);
  if (command.length === 0) problems.push('nothing to run after --');
  if (problems.length > 0) {
    console.error(`flake-hunt: ${problems.join('; ')}\n\n${USAGE}`);
    return 2;
  }
  const runs = Number(values.runs ?? 10);
  const copies = Number(values.copies ?? 1);
  const stopEarly = values['stop-early'] === true;

  const parent = mkdtempSync(join(tmpdir(), 'flake-hunt-'));
  const folders = [ROOT, ...Array.from({ length: copies - 1 }, (_, i) => makeCopy(parent, i + 2))];
  console.log(
    `flake-hunt: ${command.join(' ')} x ${runs} in ${copies} cop${copies === 1 ? 'y' : 'ies'} side by side` +
      (process.env.KAFKA_PROVIDER ? ` (KAFKA_PROVIDER=${process.env.KAFKA_PROVIDER})` : ''),
  );
  const results: RunResult[] = [];
  let stop = false;
  const started = performance.now();
  try {
    await Promise.all(
      folders.map(async (folder, index) => {
        for (let run = 1; run <= runs && !stop; run++) {
          const result = await runOnce(command, folder, index + 1, run);
          results.push(result);
          console.log(
            `  copy ${result.copy} run ${String(result.run).padStart(2)}: ${result.ok ? 'pass' : `FAIL (exit ${result.code})`} ` +
              `in ${seconds(result.ms)}${result.failures.length > 0 ? `: ${result.failures.join(' | ')}` : ''}`,
          );
          if (!result.ok && stopEarly) stop = true;
        }
      }),
    );
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
  const passed = results.filter((result) => result.ok);
  const times = results.map((result) => result.ms).sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  const counts = new Map<string, number>();
  for (const name of results.flatMap((result) => result.failures))
    counts.set(name, (counts.get(name) ?? 0) + 1);
  console.log(
    `flake-hunt: ${passed.length}/${results.length} passed; wall time per run median ${seconds(median)}, ` +
      `min ${seconds(times[0] ?? 0)}, max ${seconds(times.at(-1) ?? 0)}; total ${seconds(performance.now() - started)}`,
  );
  for (const [name, count] of counts) console.log(`  failed ${count}x: ${name}`);
  return passed.length === results.length ? 0 : 1;
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
