// Our producer and consumer as a user runs them: `ratings-kafka produce|consume` in their own process.
import { fileURLToPath } from 'node:url';
import type { ConsumeReport } from '../../helpers/cli/consume-command.ts';
import type { ProduceReport } from '../../helpers/cli/produce-command.ts';
import { type MeasuredRun, requireSuccess, runMeasured } from '../measure-process.ts';

const CLI = fileURLToPath(new URL('../../bin/ratings-kafka.ts', import.meta.url));

/** A CLI run and the `--json` summary it printed. */
export interface CliRun<T> {
  run: MeasuredRun;
  report: T;
}

/** Where the CLI runs and with which extra Node flags (`--cpu-prof` for profiling). */
export interface CliTarget {
  brokers: string[];
  topic: string;
  nodeFlags: string[];
}

/** `ratings-kafka produce --count N --seed S --json` against the topic. */
export async function oursProduce(
  target: CliTarget,
  events: number,
  seed: number,
): Promise<CliRun<ProduceReport>> {
  const run = await runCli(target, 'produce', ['--count', String(events), '--seed', String(seed)]);
  const report = lastJson<ProduceReport>('ratings-kafka produce', run);
  if (report.sent !== events)
    throw new Error(`ratings-kafka produce sent ${report.sent} of ${events}: ${report.error}`);
  return { run, report };
}

/** `ratings-kafka consume --from-beginning --max-messages N --json` as a fresh group. */
export async function oursConsume(
  target: CliTarget,
  events: number,
  groupId: string,
): Promise<CliRun<ConsumeReport>> {
  const run = await runCli(target, 'consume', [
    '--from-beginning',
    '--max-messages',
    String(events),
    '--group',
    groupId,
    '--timeout',
    '30s',
  ]);
  const report = lastJson<ConsumeReport>('ratings-kafka consume', run);
  if (report.total !== events || report.invalid !== 0) {
    throw new Error(
      `ratings-kafka consume read ${report.total} of ${events}, ${report.invalid} invalid: ${report.errors[0]}`,
    );
  }
  return { run, report };
}

async function runCli(target: CliTarget, command: string, args: string[]): Promise<MeasuredRun> {
  const run = await runMeasured({
    command: process.execPath,
    args: [
      ...target.nodeFlags,
      CLI,
      command,
      ...args,
      '--topic',
      target.topic,
      '--brokers',
      target.brokers.join(','),
      '--json',
    ],
  });
  return requireSuccess(`ratings-kafka ${command}`, run);
}

function lastJson<T>(what: string, run: MeasuredRun): T {
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(
      `${what} printed no JSON summary; stdout ended with ${JSON.stringify(line.slice(0, 200))}`,
    );
  }
}
