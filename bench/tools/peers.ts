// The JavaScript peers (bench/peers/*.ts) run as our CLI runs: their own Node process, measured from outside.
import { fileURLToPath } from 'node:url';
import { type MeasuredRun, requireSuccess, runMeasured } from '../measure-process.ts';
import type { PeerReport } from '../peers/peer-args.ts';

/** The peer clients: raw kafkajs (our client without our code) and @platformatic/kafka. */
export type PeerClient = 'kafkajs' | 'platformatic';

const SCRIPTS: Record<PeerClient, string> = {
  kafkajs: fileURLToPath(new URL('../peers/kafkajs.ts', import.meta.url)),
  platformatic: fileURLToPath(new URL('../peers/platformatic.ts', import.meta.url)),
};

/** One peer run: what to do, on which topic, with which events. */
export interface PeerJob {
  client: PeerClient;
  command: 'produce' | 'consume';
  brokers: string[];
  topic: string;
  count: number;
  validate: boolean;
  /** Produce: the seed of the events (the dataset's). */
  seed: number;
  groupId: string;
}

/** Runs a peer to its end and reads its report; throws when it fails or falls short of `count`. */
export async function runPeer(job: PeerJob): Promise<{ run: MeasuredRun; report: PeerReport }> {
  const what = `${job.client} ${job.command}${job.validate ? ' --validate' : ''}`;
  const run = requireSuccess(
    what,
    await runMeasured({
      command: process.execPath,
      args: [
        SCRIPTS[job.client],
        job.command,
        '--brokers',
        job.brokers.join(','),
        '--topic',
        job.topic,
        '--count',
        String(job.count),
        '--seed',
        String(job.seed),
        '--group',
        job.groupId,
        ...(job.validate ? ['--validate'] : []),
      ],
    }),
  );
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  const report = JSON.parse(line) as PeerReport;
  if (report.messages !== job.count || report.valid !== job.count) {
    throw new Error(
      `${what} handled ${report.messages} records (${report.valid} valid), expected ${job.count}`,
    );
  }
  return { run, report };
}
