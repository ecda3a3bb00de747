// Runs the real `ratings-kafka` CLI as a subprocess, the way a person or CI runs it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

/** The CLI entry point. */
export const CLI = fileURLToPath(new URL('../../bin/ratings-kafka.ts', import.meta.url));

/** What one CLI run printed and how it exited. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** Replaces the environment; by default KAFKA_BROKERS points at the run's broker. */
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** The working directory; by default the spec's. */
  cwd: string;
}

/** The environment a spec's CLI run gets: the suite's broker in KAFKA_BROKERS. */
export const cliEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  KAFKA_BROKERS: inject('kafkaBrokers').join(','),
});

/** Runs `node bin/ratings-kafka.ts ...args` and resolves when it exits (rejects only if it cannot start or hangs). */
export function runCli(args: string[], options: Partial<RunCliOptions> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: options.env ?? cliEnv(),
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `ratings-kafka ${args.join(' ')} did not exit within ${options.timeoutMs ?? 50_000} ms\n${stdout}\n${stderr}`,
        ),
      );
    }, options.timeoutMs ?? 50_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The one JSON object a `--json` run printed on stdout. */
export function jsonOf<T = Record<string, unknown>>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`expected one JSON object on stdout, got:\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}
