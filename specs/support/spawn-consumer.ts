// The parent side of consumer-child.ts: starts it, collects what it saw, kills it, and never leaves it behind.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import type { ChildLine } from './consumer-child.ts';

const SCRIPT = fileURLToPath(new URL('./consumer-child.ts', import.meta.url));

/** One record as the child consumer reported it. */
export interface SeenRecord {
  seq: number;
  partition: number;
  offset: number;
}

/** A consumer running in a child process. */
export interface ChildConsumer {
  /** Every record it reported, in the order it printed them. */
  readonly seen: readonly SeenRecord[];
  /** Resolves once it has joined its group. */
  readonly joined: Promise<void>;
  /** Resolves when the process has exited, with its code or signal. */
  readonly exited: Promise<number | string | null>;
  /** Sends a signal and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** What it wrote to stderr, for failure messages. */
  stderr(): string;
}

/**
 * Starts consumer-child.ts in `groupId` on `topic` with the given session timeout; it is SIGKILLed
 * when the test finishes if still alive.
 */
export function spawnConsumer(
  brokers: string[],
  topic: string,
  groupId: string,
  sessionTimeoutMs: number,
): ChildConsumer {
  const args = [SCRIPT, brokers.join(','), topic, groupId, String(sessionTimeoutMs)];
  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seen: SeenRecord[] = [];
  let errors = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    errors += chunk;
  });
  const { promise: joined, resolve: markJoined } = Promise.withResolvers<void>();
  // 'close', not 'exit': only then has every line the child wrote been read.
  const exited = new Promise<number | string | null>((resolve) => {
    child.once('close', (code, signal) => resolve(code ?? signal));
  });
  // A child that dies before joining must fail the wait, not hang it.
  const joinedOrDied = Promise.race([
    joined,
    exited.then((status) => {
      throw new Error(`consumer child exited with ${status} before joining its group: ${errors}`);
    }),
  ]);
  joinedOrDied.catch(() => {});
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (text) => {
      const line = JSON.parse(text) as ChildLine;
      if ('joined' in line) markJoined();
      else if ('seq' in line) seen.push(line);
    });
  }
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  onTestFinished(() => kill('SIGKILL'));
  return { seen, joined: joinedOrDied, exited, kill, stderr: () => errors };
}
