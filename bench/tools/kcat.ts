// kcat (librdkafka) as an anchor: the same records through a C client configured like our producer.
import { spawnSync } from 'node:child_process';
import { type MeasuredRun, requireSuccess, runMeasured } from '../measure-process.ts';

/** The producer settings that make kcat send what ours sends: acks=all, LZ4, idempotent, Java's partitioner. */
export const KCAT_PRODUCER_SETTINGS = [
  'acks=all',
  'compression.codec=lz4',
  'enable.idempotence=true',
  // murmur2_random is librdkafka's name for the Java client's default (murmur2 of the key).
  'partitioner=murmur2_random',
  // Java's default since Kafka 4.0; librdkafka's own default is 5 ms as well, stated to be explicit.
  'linger.ms=5',
];

/** `kcat 1.7.1 (librdkafka 2.0.2)`, or `missing`. */
export function kcatVersion(): string {
  const result = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
  if (result.status !== 0) return 'missing';
  const kcat = /^Version ([^\s]+)/m.exec(result.stdout)?.[1];
  const librdkafka = /librdkafka ([^\s]+)/.exec(result.stdout)?.[1];
  return `kcat ${kcat ?? '?'} (librdkafka ${librdkafka ?? '?'})`;
}

/** `kcat -P -K '\t'` fed the keyed lines file on stdin. */
export async function kcatProduce(brokers: string[], topic: string, keyedFile: string): Promise<MeasuredRun> {
  const settings = KCAT_PRODUCER_SETTINGS.flatMap((setting) => ['-X', setting]);
  const run = await runMeasured({
    command: 'kcat',
    args: ['-P', '-b', brokers.join(','), '-t', topic, '-K', '\t', ...settings],
    stdinFile: keyedFile,
  });
  return requireSuccess('kcat -P', run);
}

/**
 * `kcat -C -e -o beginning -f '\n'`: every record fetched and decompressed, one newline printed per
 * record and counted. Printing the values too doubles kcat's time, which would measure the pipe.
 */
export async function kcatConsume(
  brokers: string[],
  topic: string,
): Promise<{ run: MeasuredRun; lines: number }> {
  let lines = 0;
  const run = await runMeasured({
    command: 'kcat',
    args: ['-C', '-b', brokers.join(','), '-t', topic, '-e', '-o', 'beginning', '-q', '-f', '\\n'],
    onStdout: (chunk) => {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
    },
  });
  return { run: requireSuccess('kcat -C', run), lines };
}
