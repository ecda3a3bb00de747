// Kafka's ProducerPerformance as the Java anchor: its own figures, read from its final line.
import { type MeasuredRun, requireSuccess, runMeasured } from '../measure-process.ts';
import { type JavaTools, javaArgs } from './java-tools.ts';

/** The figures ProducerPerformance prints when it is done. */
export interface ProducerPerformanceResult {
  records: number;
  recordsPerSecond: number;
  megabytesPerSecond: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** What ProducerPerformance is asked to do. */
export interface ProducerPerformanceRun {
  brokers: string[];
  topic: string;
  records: number;
  /** Messages per second, or -1 for as fast as it can. */
  throughput: number;
  payloadFile: string;
}

/** Our producer's settings in Java terms. Records go unkeyed: ProducerPerformance cannot send keys. */
export const PERF_PRODUCER_PROPS = ['acks=all', 'compression.type=lz4', 'enable.idempotence=true'];

// "1000000 records sent, 250000.0 records/sec (19.07 MB/sec), 12.34 ms avg latency, 456.00 ms max
// latency, 10 ms 50th, 20 ms 95th, 30 ms 99th, 40 ms 99.9th."
const FINAL_LINE =
  /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/;

/** Runs ProducerPerformance with `--payload-file` (a random line per record) and parses its summary. */
export async function producerPerformance(
  tools: JavaTools,
  options: ProducerPerformanceRun,
): Promise<{ run: MeasuredRun; result: ProducerPerformanceResult }> {
  const run = await runMeasured({
    command: tools.java,
    args: javaArgs(tools, 'org.apache.kafka.tools.ProducerPerformance', [
      '--topic',
      options.topic,
      '--num-records',
      String(options.records),
      '--throughput',
      String(options.throughput),
      '--payload-file',
      options.payloadFile,
      '--producer-props',
      `bootstrap.servers=${options.brokers.join(',')}`,
      ...PERF_PRODUCER_PROPS,
    ]),
  });
  requireSuccess('ProducerPerformance', run);
  const match = run.stdout
    .trim()
    .split('\n')
    .reverse()
    .map((line) => FINAL_LINE.exec(line))
    .find((found) => found !== null);
  if (!match) throw new Error(`ProducerPerformance printed no summary line:\n${run.stdout.slice(-1_000)}`);
  const [records, perSecond, mbPerSecond, avg, max, p50, p95, p99] = match.slice(1).map(Number) as number[];
  return {
    run,
    result: {
      records: records!,
      recordsPerSecond: perSecond!,
      megabytesPerSecond: mbPerSecond!,
      avgLatencyMs: avg!,
      maxLatencyMs: max!,
      p50Ms: p50!,
      p95Ms: p95!,
      p99Ms: p99!,
    },
  };
}
