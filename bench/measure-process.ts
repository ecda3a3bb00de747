// Runs one tool as a child process and measures it from the outside: wall time and peak RSS.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** GNU time: its `-v` report is the one outside view of a child's peak RSS that works for any program. */
const GNU_TIME = '/usr/bin/time';

/** What to run and how to feed it. */
export interface MeasuredCommand {
  command: string;
  args: string[];
  /** A file to use as stdin (kcat -P reads its records there); otherwise stdin is empty. */
  stdinFile: string | undefined;
  /** Called with every stdout chunk instead of keeping it (1M consumed lines would be 80 MB of string). */
  onStdout: ((chunk: Buffer) => void) | undefined;
  env: NodeJS.ProcessEnv;
}

/** What the run did: exit code, output, wall time, and peak RSS when GNU time is there to tell. */
export interface MeasuredRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Peak resident set size in bytes, from `/usr/bin/time -v`; undefined without it. */
  peakRssBytes: number | undefined;
}

/** True when peak RSS can be measured from the outside. */
export const canMeasureRss = (): boolean => existsSync(GNU_TIME);

/** Runs the command to its end; rejects only when it cannot be started at all. */
export async function runMeasured(
  options: Partial<MeasuredCommand> & { command: string },
): Promise<MeasuredRun> {
  const { command, args = [], stdinFile, onStdout, env = process.env } = options;
  const scratch = await mkdtemp(join(tmpdir(), 'bench-time-'));
  const timeFile = join(scratch, 'time.txt');
  const wrapped = canMeasureRss();
  const [file, argv] = wrapped ? [GNU_TIME, ['-v', '-o', timeFile, command, ...args]] : [command, args];
  try {
    const started = performance.now();
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve, reject) => {
      // The file itself becomes stdin, so no copy through this process competes for the CPU.
      const stdin = stdinFile === undefined ? 'ignore' : openSync(stdinFile, 'r');
      const child = spawn(file, argv, { env, stdio: [stdin, 'pipe', 'pipe'] });
      if (typeof stdin === 'number') closeSync(stdin);
      const out: Buffer[] = [];
      let err = '';
      child.stdout?.on('data', (chunk: Buffer) => (onStdout ? onStdout(chunk) : out.push(chunk)));
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        err += chunk;
      });
      child.once('error', reject);
      child.once('close', (exit) =>
        resolve({ code: exit, stdout: Buffer.concat(out).toString('utf8'), stderr: err }),
      );
    });
    const wallMs = performance.now() - started;
    const report = wrapped ? await readFile(timeFile, 'utf8').catch(() => '') : '';
    const kbytes = /Maximum resident set size \(kbytes\): (\d+)/.exec(report)?.[1];
    return { code, stdout, stderr, wallMs, peakRssBytes: kbytes ? Number(kbytes) * 1024 : undefined };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Throws with the tail of stderr when a tool did not exit 0. */
export function requireSuccess(what: string, run: MeasuredRun): MeasuredRun {
  if (run.code === 0) return run;
  const tail = run.stderr.trim().split('\n').slice(-15).join('\n');
  throw new Error(`${what} exited with ${run.code}:\n${tail}`);
}
