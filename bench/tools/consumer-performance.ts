// Kafka's ConsumerPerformance as the Java consumer anchor: its own figures, read from its stats line.
import { type MeasuredRun, requireSuccess, runMeasured } from '../measure-process.ts';
import { type JavaTools, javaArgs } from './java-tools.ts';

/** The columns of ConsumerPerformance's stats line this report uses. */
export interface ConsumerPerformanceResult {
  messages: number;
  megabytes: number;
  /** Over the whole run, the group join included. */
  messagesPerSecond: number;
  megabytesPerSecond: number;
  rebalanceMs: number;
  /** Over the fetching only, the group join excluded. */
  fetchMessagesPerSecond: number;
}

/** Reads `messages` records of `topic` from the beginning as a fresh group and parses its stats. */
export async function consumerPerformance(
  tools: JavaTools,
  brokers: string[],
  topic: string,
  messages: number,
): Promise<{ run: MeasuredRun; result: ConsumerPerformanceResult }> {
  const run = await runMeasured({
    command: tools.java,
    args: javaArgs(tools, 'org.apache.kafka.tools.ConsumerPerformance', [
      '--bootstrap-server',
      brokers.join(','),
      '--topic',
      topic,
      '--messages',
      String(messages),
      '--timeout',
      '30000',
    ]),
  });
  requireSuccess('ConsumerPerformance', run);
  // A header line "start.time, end.time, data.consumed.in.MB, ..." then one line of values.
  const lines = run.stdout.trim().split('\n');
  const headerAt = lines.findIndex((line) => line.startsWith('start.time'));
  const header = lines[headerAt]?.split(',').map((name) => name.trim());
  const values = lines[headerAt + 1]?.split(',').map((value) => value.trim());
  if (!header || !values)
    throw new Error(`ConsumerPerformance printed no stats:\n${run.stdout.slice(-1_000)}`);
  const column = (name: string): number => {
    const at = header.indexOf(name);
    const value = at === -1 ? Number.NaN : Number(values[at]);
    if (!Number.isFinite(value))
      throw new Error(`ConsumerPerformance stats have no ${name}: ${lines[headerAt + 1]}`);
    return value;
  };
  return {
    run,
    result: {
      messages: column('data.consumed.in.nMsg'),
      megabytes: column('data.consumed.in.MB'),
      messagesPerSecond: column('nMsg.sec'),
      megabytesPerSecond: column('MB.sec'),
      rebalanceMs: column('rebalance.time.ms'),
      fetchMessagesPerSecond: column('fetch.nMsg.sec'),
    },
  };
}
