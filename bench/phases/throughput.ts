// Produce and consume throughput: ours against kcat and Kafka's Java tools, on the same events.
import { randomUUID } from 'node:crypto';
import type { BenchTopics } from '../bench-topic.ts';
import type { Dataset } from '../dataset.ts';
import type { ThroughputRow } from '../results.ts';
import { consumerPerformance } from '../tools/consumer-performance.ts';
import type { JavaTools } from '../tools/java-tools.ts';
import { kcatConsume, kcatProduce } from '../tools/kcat.ts';
import { oursConsume, oursProduce } from '../tools/ours-cli.ts';
import { producerPerformance } from '../tools/producer-performance.ts';

const MB = 1024 * 1024;

/** What the throughput phase needs: the broker, its bench topics, the events, the Java tools. */
export interface ThroughputContext {
  brokers: string[];
  topics: BenchTopics;
  dataset: Dataset;
  tools: JavaTools;
  log: (line: string) => void;
}

/** Runs the three producers (each on its own fresh topic), then the three consumers on our producer's topic. */
export async function measureThroughput(
  context: ThroughputContext,
): Promise<{ rows: ThroughputRow[]; oursTopic: string }> {
  const { brokers, topics, dataset, tools, log } = context;
  const events = dataset.events;
  const bytesPerEvent = dataset.valueBytes / events;
  const row = (fields: Omit<ThroughputRow, 'messagesPerSecond' | 'megabytesPerSecond'>): ThroughputRow => {
    const messagesPerSecond = fields.messages / fields.seconds;
    return { ...fields, messagesPerSecond, megabytesPerSecond: (messagesPerSecond * bytesPerEvent) / MB };
  };
  const landed = async (tool: string, topic: string): Promise<void> => {
    const records = await topics.recordsIn(topic);
    if (records !== events)
      throw new Error(`${tool} left ${records} records on ${topic}, expected ${events}`);
  };
  const rows: ThroughputRow[] = [];

  const oursTopic = await topics.create('ours');
  log(`[bench] produce: ours -> ${oursTopic}`);
  const ours = await oursProduce({ brokers, topic: oursTopic, nodeFlags: [] }, events, dataset.seed);
  await landed('ratings-kafka produce', oursTopic);
  rows.push(
    row({
      phase: 'produce',
      tool: 'ours: ratings-kafka produce (kafkajs)',
      ours: true,
      messages: ours.report.sent,
      seconds: ours.report.elapsedMs / 1000,
      wallSeconds: ours.run.wallMs / 1000,
      peakRssBytes: ours.run.peakRssBytes ?? ours.report.maxRssBytes,
      timing: 'first send to last ack (connect excluded); events generated and validated inside the interval',
    }),
  );

  const kcatTopic = await topics.create('kcat');
  log(`[bench] produce: kcat -> ${kcatTopic}`);
  const kcat = await kcatProduce(brokers, kcatTopic, dataset.keyedFile);
  await landed('kcat -P', kcatTopic);
  rows.push(
    row({
      phase: 'produce',
      tool: 'kcat -P (librdkafka)',
      ours: false,
      messages: events,
      seconds: kcat.wallMs / 1000,
      wallSeconds: kcat.wallMs / 1000,
      peakRssBytes: kcat.peakRssBytes,
      timing: 'whole process (kcat has no inner timer); reads the pre-generated key<TAB>value file',
    }),
  );

  const perfTopic = await topics.create('perf');
  log(`[bench] produce: ProducerPerformance -> ${perfTopic}`);
  const perf = await producerPerformance(tools, {
    brokers,
    topic: perfTopic,
    records: events,
    throughput: -1,
    payloadFile: dataset.payloadFile,
  });
  await landed('ProducerPerformance', perfTopic);
  rows.push(
    row({
      phase: 'produce',
      tool: 'ProducerPerformance (Java client)',
      ours: false,
      messages: perf.result.records,
      seconds: perf.result.records / perf.result.recordsPerSecond,
      wallSeconds: perf.run.wallMs / 1000,
      peakRssBytes: perf.run.peakRssBytes,
      timing: `its own timer (JVM start excluded); UNKEYED values (sticky partitioning fills batches), its MB/s ${perf.result.megabytesPerSecond}`,
    }),
  );

  log(`[bench] consume: ours <- ${oursTopic}`);
  const oursRead = await oursConsume(
    { brokers, topic: oursTopic, nodeFlags: [] },
    events,
    `bench-${randomUUID()}`,
  );
  rows.push(
    row({
      phase: 'consume',
      tool: 'ours: ratings-kafka consume (kafkajs, validating)',
      ours: true,
      messages: oursRead.report.total,
      seconds: oursRead.report.total / oursRead.report.messagesPerSecond,
      wallSeconds: oursRead.run.wallMs / 1000,
      peakRssBytes: oursRead.run.peakRssBytes ?? oursRead.report.maxRssBytes,
      timing:
        'connect + group join to the last commit; every record decoded and checked, offsets committed per batch',
    }),
  );

  log(`[bench] consume: kcat <- ${oursTopic}`);
  const kcatRead = await kcatConsume(brokers, oursTopic);
  if (kcatRead.lines !== events)
    throw new Error(`kcat -C read ${kcatRead.lines} records, expected ${events}`);
  rows.push(
    row({
      phase: 'consume',
      tool: "kcat -C -e -f '\\n' (librdkafka)",
      ours: false,
      messages: kcatRead.lines,
      seconds: kcatRead.run.wallMs / 1000,
      wallSeconds: kcatRead.run.wallMs / 1000,
      peakRssBytes: kcatRead.run.peakRssBytes,
      timing: 'whole process; no group, no commits, no validation; a newline per record printed and counted',
    }),
  );

  log(`[bench] consume: ConsumerPerformance <- ${oursTopic}`);
  const perfRead = await consumerPerformance(tools, brokers, oursTopic, events);
  if (perfRead.result.messages !== events) {
    throw new Error(`ConsumerPerformance read ${perfRead.result.messages} records, expected ${events}`);
  }
  rows.push(
    row({
      phase: 'consume',
      tool: 'ConsumerPerformance (Java client)',
      ours: false,
      messages: perfRead.result.messages,
      seconds: perfRead.result.messages / perfRead.result.messagesPerSecond,
      wallSeconds: perfRead.run.wallMs / 1000,
      peakRssBytes: perfRead.run.peakRssBytes,
      timing: `its own timer, group join included (${perfRead.result.rebalanceMs} ms; fetch-only ${Math.round(perfRead.result.fetchMessagesPerSecond)} msg/s); no validation, auto-commit`,
    }),
  );
  return { rows, oursTopic };
}
