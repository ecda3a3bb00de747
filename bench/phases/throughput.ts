// Produce and consume throughput: ours, the JavaScript peers, kcat and Kafka's Java tools, on the same events.
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

/** What the throughput phase needs: the broker, its bench topics, the events, the Java tools, how many rounds. */
export interface ThroughputContext {
  brokers: string[];
  topics: BenchTopics;
  dataset: Dataset;
  tools: JavaTools;
  /** Every tool runs this many times, interleaved with the others; its fastest run is the row. */
  rounds: number;
  log: (line: string) => void;
}

/** The JavaScript peers of each phase: the client alone, then the client with our encoder or decoder per record. */
const PEERS: { client: PeerClient; validate: boolean; id: ThroughputRow['id']; name: string }[] = [
  { client: 'kafkajs', validate: false, id: 'kafkajs', name: 'kafkajs raw (our settings, no validation)' },
  { client: 'kafkajs', validate: true, id: 'kafkajs+ours', name: 'kafkajs + our codec only (no CLI)' },
  { client: 'platformatic', validate: false, id: 'platformatic', name: '@platformatic/kafka raw' },
  {
    client: 'platformatic',
    validate: true,
    id: 'platformatic+ours',
    name: '@platformatic/kafka + our codec',
  },
];

type Row = Omit<ThroughputRow, 'messagesPerSecond' | 'megabytesPerSecond' | 'runs'>;

/**
 * Runs every producer (each run on its own fresh topic), then every consumer on our producer's first topic,
 * `rounds` times in turn, and keeps each tool's fastest run: on a shared machine the fastest run is the one
 * least disturbed by other work, and taking turns spreads a noisy minute over every tool. Keyed producers
 * must leave the very same count on every partition as ours: the partitioners agree.
 */
export async function measureThroughput(context: ThroughputContext): Promise<{ rows: ThroughputRow[] }> {
  const { brokers, topics, dataset, tools, rounds, log } = context;
  const events = dataset.events;
  const bytesPerEvent = dataset.valueBytes / events;
  const landed = async (tool: string, topic: string): Promise<void> => {
    const records = await topics.recordsIn(topic);
    if (records !== events)
      throw new Error(`${tool} left ${records} records on ${topic}, expected ${events}`);
  };
  let oursTopic: string | undefined;
  let oursSpread = '';
  const spreadLikeOurs = async (tool: string, topic: string): Promise<void> => {
    const spread = (await topics.recordsPerPartition(topic)).join('/');
    if (spread !== oursSpread)
      throw new Error(`${tool} put ${spread} records per partition on ${topic}, ours ${oursSpread}`);
  };

  const producers: { name: string; run: () => Promise<Row> }[] = [
    {
      name: 'ours',
      run: async () => {
        const topic = await topics.create('ours');
        const ours = await oursProduce({ brokers, topic, nodeFlags: [] }, events, dataset.seed);
        await landed('ratings-kafka produce', topic);
        if (oursTopic === undefined) {
          oursTopic = topic;
          oursSpread = (await topics.recordsPerPartition(topic)).join('/');
        } else await spreadLikeOurs('ratings-kafka produce', topic);
        return {
          phase: 'produce',
          id: 'ours',
          tool: 'ours: ratings-kafka produce (kafkajs)',
          ours: true,
          messages: ours.report.sent,
          seconds: ours.report.elapsedMs / 1000,
          wallSeconds: ours.run.wallMs / 1000,
          peakRssBytes: ours.run.peakRssBytes ?? ours.report.maxRssBytes,
          timing:
            'first send to last ack (connect excluded); events generated and validated inside the interval',
        };
      },
    },
    ...PEERS.map((peer) => ({
      name: peer.name,
      run: async (): Promise<Row> => {
        const topic = await topics.create(peer.id.replace('+', '-'));
        const { run, report } = await runPeer({
          client: peer.client,
          command: 'produce',
          brokers,
          topic,
          count: events,
          validate: peer.validate,
          seed: dataset.seed,
          groupId: '',
        });
        await landed(peer.name, topic);
        await spreadLikeOurs(peer.name, topic);
        return {
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
            : 'first send to last ack (connect excluded); the same events generated inside the interval, JSON.stringify, no checks',
        };
      },
    })),
    {
      name: 'kcat -P',
      run: async () => {
        const topic = await topics.create('kcat');
        const kcat = await kcatProduce(brokers, topic, dataset.keyedFile);
        await landed('kcat -P', topic);
        await spreadLikeOurs('kcat -P', topic);
        return {
          phase: 'produce',
          id: 'kcat',
          tool: 'kcat -P (librdkafka)',
          ours: false,
          messages: events,
          seconds: kcat.wallMs / 1000,
          wallSeconds: kcat.wallMs / 1000,
          peakRssBytes: kcat.peakRssBytes,
          timing: 'whole process (kcat has no inner timer); reads the pre-generated key<TAB>value file',
        };
      },
    },
    {
      name: 'ProducerPerformance',
      run: async () => {
        const topic = await topics.create('perf');
        const perf = await producerPerformance(tools, {
          brokers,
          topic,
          records: events,
          throughput: -1,
          payloadFile: dataset.payloadFile,
        });
        await landed('ProducerPerformance', topic);
        return {
          phase: 'produce',
          id: 'java',
          tool: 'ProducerPerformance (Java client)',
          ours: false,
          messages: perf.result.records,
          seconds: perf.result.records / perf.result.recordsPerSecond,
          wallSeconds: perf.run.wallMs / 1000,
          peakRssBytes: perf.run.peakRssBytes,
          timing: `its own timer (JVM start excluded); UNKEYED values (sticky partitioning fills batches), its MB/s ${perf.result.megabytesPerSecond}`,
        };
      },
    },
  ];

  const source = (): string => {
    if (oursTopic === undefined) throw new Error('consumers need our producer to have run first');
    return oursTopic;
  };
  const consumers: { name: string; run: () => Promise<Row> }[] = [
    {
      name: 'ours',
      run: async () => {
        const read = await oursConsume(
          { brokers, topic: source(), nodeFlags: [] },
          events,
          `bench-${randomUUID()}`,
        );
        return {
          phase: 'consume',
          id: 'ours',
          tool: 'ours: ratings-kafka consume (kafkajs, validating)',
          ours: true,
          messages: read.report.total,
          seconds: read.report.total / read.report.messagesPerSecond,
          wallSeconds: read.run.wallMs / 1000,
          peakRssBytes: read.run.peakRssBytes ?? read.report.maxRssBytes,
          timing:
            'connect + group join to the last commit; every record decoded and checked, offsets committed beside the fetch loop',
        };
      },
    },
    ...PEERS.map((peer) => ({
      name: peer.name,
      run: async (): Promise<Row> => {
        const { run, report } = await runPeer({
          client: peer.client,
          command: 'consume',
          brokers,
          topic: source(),
          count: events,
          validate: peer.validate,
          seed: dataset.seed,
          groupId: `bench-${randomUUID()}`,
        });
        const commits =
          peer.client === 'kafkajs'
            ? "'s commit (kafkajs autocommit: a commit after every batch; the last one awaited)"
            : ' handed out (autocommit after every fetch, the last one not awaited)';
        return {
          phase: 'consume',
          id: peer.id,
          tool: peer.name,
          ours: false,
          messages: report.messages,
          seconds: report.elapsedMs / 1000,
          wallSeconds: run.wallMs / 1000,
          peakRssBytes: run.peakRssBytes ?? report.maxRssBytes,
          timing: `connect + group join to the last record${commits}; ${peer.validate ? 'every record decoded and checked by our decoder' : 'records counted, not decoded'}`,
        };
      },
    })),
    {
      name: 'kcat -C',
      run: async () => {
        const read = await kcatConsume(brokers, source());
        if (read.lines !== events) throw new Error(`kcat -C read ${read.lines} records, expected ${events}`);
        return {
          phase: 'consume',
          id: 'kcat',
          tool: "kcat -C -e -f '\\n' (librdkafka)",
          ours: false,
          messages: read.lines,
          seconds: read.run.wallMs / 1000,
          wallSeconds: read.run.wallMs / 1000,
          peakRssBytes: read.run.peakRssBytes,
          timing:
            'whole process; no group, no commits, no validation; a newline per record printed and counted',
        };
      },
    },
    {
      name: 'ConsumerPerformance',
      run: async () => {
        const read = await consumerPerformance(tools, brokers, source(), events);
        if (read.result.messages !== events) {
          throw new Error(`ConsumerPerformance read ${read.result.messages} records, expected ${events}`);
        }
        return {
          phase: 'consume',
          id: 'java',
          tool: 'ConsumerPerformance (Java client)',
          ours: false,
          messages: read.result.messages,
          seconds: read.result.messages / read.result.messagesPerSecond,
          wallSeconds: read.run.wallMs / 1000,
          peakRssBytes: read.run.peakRssBytes,
          timing: `its own timer, group join included (${read.result.rebalanceMs} ms; fetch-only ${Math.round(read.result.fetchMessagesPerSecond)} msg/s); no validation, auto-commit`,
        };
      },
    },
  ];

  const rows: ThroughputRow[] = [];
  for (const [phase, tools] of [
    ['produce', producers],
    ['consume', consumers],
  ] as const) {
    const runs = new Map<string, Row[]>();
    for (let round = 1; round <= rounds; round++) {
      for (const tool of tools) {
        log(`[bench] ${phase} round ${round}/${rounds}: ${tool.name}`);
        const row = await tool.run();
        runs.set(tool.name, [...(runs.get(tool.name) ?? []), row]);
      }
    }
    for (const tool of tools) {
      const all = runs.get(tool.name) ?? [];
      const rates = all.map((run) => run.messages / run.seconds);
      const best = all[rates.indexOf(Math.max(...rates))]!;
      const messagesPerSecond = best.messages / best.seconds;
      rows.push({
        ...best,
        messagesPerSecond,
        megabytesPerSecond: (messagesPerSecond * bytesPerEvent) / MB,
        runs: rates.map(Math.round),
      });
    }
  }
  return { rows };
}
