// Produce and consume throughput: ours against kcat and Kafka's Java tools, on the same events.
import { randomUUID } from 'node:crypto';
import type { BenchTopics } from '../bench-topic.ts';
import type { Dataset } from '../dataset.ts';
import type { ThroughputRow } from '../results.ts';
import { consumerPerformance } from '../tools/consumer-performance.ts';
import type { JavaTools } from '../tools/java-tools.ts';
import { kcatConsume, kcatProduce } from '../tools/kcat.ts';
import { oursConsume, oursProduce } from '../tools/ours-cli.ts';
import { type PeerClient, runPeer } from '../tools/peers.ts';
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

/** The JavaScript peers of each phase: the client alone, then the client with our encoder or decoder per record. */
const PEERS: { client: PeerClient; validate: boolean; id: ThroughputRow['id']; name: string }[] = [
  { client: 'kafkajs', validate: false, id: 'kafkajs', name: 'kafkajs raw (our settings, no validation)' },
  { client: 'kafkajs', validate: true, id: 'kafkajs+ours', name: 'kafkajs + our codec only' },
  { client: 'platformatic', validate: false, id: 'platformatic', name: '@platformatic/kafka raw' },
  {
    client: 'platformatic',
    validate: true,
    id: 'platformatic+ours',
    name: '@platformatic/kafka + our codec',
  },
];

/**
 * Runs every producer (each on its own fresh topic), then every consumer on our producer's topic. Keyed
 * producers must leave the very same count on every partition as ours: the partitioners agree.
 */
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
  let oursSpread = '';
  const spreadLikeOurs = async (tool: string, topic: string): Promise<void> => {
    const spread = (await topics.recordsPerPartition(topic)).join('/');
    if (spread !== oursSpread)
      throw new Error(`${tool} put ${spread} records per partition on ${topic}, ours ${oursSpread}`);
  };
  const rows: ThroughputRow[] = [];

  const oursTopic = await topics.create('ours');
  log(`[bench] produce: ours -> ${oursTopic}`);
  const ours = await oursProduce({ brokers, topic: oursTopic, nodeFlags: [] }, events, dataset.seed);
  await landed('ratings-kafka produce', oursTopic);
  oursSpread = (await topics.recordsPerPartition(oursTopic)).join('/');
  rows.push(
    row({
      phase: 'produce',
      id: 'ours',
      tool: 'ours: ratings-kafka produce (kafkajs)',
      ours: true,
      messages: ours.report.sent,
      seconds: ours.report.elapsedMs / 1000,
      wallSeconds: ours.run.wallMs / 1000,
      peakRssBytes: ours.run.peakRssBytes ?? ours.report.maxRssBytes,
      timing: 'first send to last ack (connect excluded); events generated and validated inside the interval',
    }),
  );

  for (const peer of PEERS) {
    const topic = await topics.create(peer.id.replace('+', '-'));
    log(`[bench] produce: ${peer.name} -> ${topic}`);
    const { run, report } = await runPeer({
      client: peer.client,
      command: 'produce',
      brokers,
      topic,
      count: events,
      validate: peer.validate,
      keyedFile: dataset.keyedFile,
      seed: dataset.seed,
      groupId: '',
    });
    await landed(peer.name, topic);
    await spreadLikeOurs(peer.name, topic);
    rows.push(
      row({
        phase: 'produce',
        id: peer.id,
        tool: peer.name,
        ours: false,
        messages: report.messages,
        seconds: report.elapsedMs / 1000,
        wallSeconds: run.wallMs / 1000,
        peakRssBytes: run.peakRssBytes ?? report.maxRssBytes,
        timing: peer.validate
          ? 'first send to last ack (connect excluded); events generated and encoded by our encoder inside the interval'
          : 'first send to last ack (connect excluded); the dataset file read into memory before the clock starts',
      }),
    );
  }

  const kcatTopic = await topics.create('kcat');
  log(`[bench] produce: kcat -> ${kcatTopic}`);
  const kcat = await kcatProduce(brokers, kcatTopic, dataset.keyedFile);
  await landed('kcat -P', kcatTopic);
  await spreadLikeOurs('kcat -P', kcatTopic);
  rows.push(
    row({
      phase: 'produce',
      id: 'kcat',
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
      id: 'java',
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
      id: 'ours',
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

  for (const peer of PEERS) {
    log(`[bench] consume: ${peer.name} <- ${oursTopic}`);
    const { run, report } = await runPeer({
      client: peer.client,
      command: 'consume',
      brokers,
      topic: oursTopic,
      count: events,
      validate: peer.validate,
      keyedFile: dataset.keyedFile,
      seed: dataset.seed,
      groupId: `bench-${randomUUID()}`,
    });
    rows.push(
      row({
        phase: 'consume',
        id: peer.id,
        tool: peer.name,
        ours: false,
        messages: report.messages,
        seconds: report.elapsedMs / 1000,
        wallSeconds: run.wallMs / 1000,
        peakRssBytes: run.peakRssBytes ?? report.maxRssBytes,
        timing: `connect + group join to the last record${peer.client === 'kafkajs' ? "'s commit (commit per batch, as ours)" : ' (autocommit after every fetch)'}; ${peer.validate ? 'every record decoded and checked by our decoder' : 'records counted, not decoded'}`,
      }),
    );
  }

  log(`[bench] consume: kcat <- ${oursTopic}`);
  const kcatRead = await kcatConsume(brokers, oursTopic);
  if (kcatRead.lines !== events)
    throw new Error(`kcat -C read ${kcatRead.lines} records, expected ${events}`);
  rows.push(
    row({
      phase: 'consume',
      id: 'kcat',
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
      id: 'java',
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
