// Judges the records a topic already holds with a contract's decoder, read-only: no consumer group, no
// commit. kafkajs' consumer cannot read partitions without joining a group, so this reads the way the
// consumer does underneath: a Cluster from the client's own configuration, Fetch requests to each
// partition's leader, and kafkajs' Batch for the record batches (LZ4 through the registered codec).
import { createRequire } from 'node:module';
import type { Kafka } from 'kafkajs';
import { formatCount, formatRate } from '../cli/format.ts';
import { type DecodeFailureKind, type Decoder, fieldName } from '../codec/decode.ts';
import { InfrastructureError } from '../errors.ts';
import { isRetriableKafkaError, retryRetriable } from '../wait/retriable.ts';

/** What {@link scanRetainedRecords} reads and how it judges it. */
export interface RetainedScanOptions {
  topic: string;
  /** Read at most this many records in all (spread over partitions as evenly as the data allows); undefined = everything up to the end offsets read at the start. */
  sample?: number;
  /** The decoder to judge each record value with (e.g. decodeRating() from helpers/codec/events.ts, or createDecoder of another schema). */
  decode: Decoder<unknown>;
  /** Called now and then with records read so far and the fraction done (for a progress bar: helpers/cli/progress.ts). */
  onProgress?: (done: number, fraction: number) => void;
  /** How many record coordinates to keep per reason. Default 5. */
  examplesPerReason?: number;
  signal?: AbortSignal;
}

/** The records refused for one reason, with the coordinates of the first few. */
export interface RefusalCount {
  path: string;
  reason: string;
  count: number;
  examples: { partition: number; offset: string }[];
}

/** The verdict on a topic's retained records; `to` is the offset after the last record read. */
export interface RetainedScan {
  topic: string;
  scanned: number;
  refused: number;
  accepted: number;
  partitions: { partition: number; from: string; to: string; read: number }[];
  byReason: RefusalCount[];
  elapsedMs: number;
  recordsPerSecond: number;
}

// kafkajs' internals the consumer itself runs on; untyped, so typed here by what this file uses.
interface FetchedMessage {
  offset: string;
  value: Buffer | null;
}
interface FetchedPartition {
  partition: number;
  highWatermark: string;
  abortedTransactions?: unknown[];
  messages: FetchedMessage[];
}
interface FetchResponse {
  responses: { topicName: string; partitions: FetchedPartition[] }[];
}
interface FetchBroker {
  fetch(request: {
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<FetchResponse>;
}
interface Cluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(query: { nodeId: string }): Promise<FetchBroker>;
  fetchTopicsOffset(
    topics: { topic: string; fromBeginning: boolean; partitions: { partition: number }[] }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}
interface KafkajsBatch {
  messages: FetchedMessage[];
  isEmptyIncludingFiltered(): boolean;
  lastOffset(): string;
}
type BatchConstructor = new (topic: string, fetchedOffset: string, data: FetchedPartition) => KafkajsBatch;
type CreateCluster = (options: {
  metadataMaxAge: number;
  allowAutoTopicCreation: boolean;
  isolationLevel: number;
}) => Cluster;

const require = createRequire(import.meta.url);
// The consumer's own batch: drops records before the fetch offset (a compressed batch starts earlier),
// control records and records of aborted transactions.
const Batch = require('kafkajs/src/consumer/batch.js') as BatchConstructor;
const { READ_COMMITTED } = require('kafkajs/src/protocol/isolationLevel.js') as { READ_COMMITTED: number };

// A fetch answers with what the log holds at once (minBytes 1); the wait only matters once a partition
// has nothing more, which ends its scan. 1 MiB per partition is the Java consumer's default.
const FETCH = { maxWaitTime: 100, minBytes: 1, partitionMaxBytes: 1_048_576 } as const;
const DEFAULT_EXAMPLES = 5;

/**
 * A Cluster built by the client's own (private) factory, so brokers, TLS, SASL, timeouts and retries are
 * those of `kafka`; kafkajs keeps it behind a symbol, found here by its description.
 */
function clusterOf(kafka: Kafka): Cluster {
  const key = Object.getOwnPropertySymbols(kafka).find(
    (symbol) => symbol.description === 'private:Kafka:createCluster',
  );
  const create = key === undefined ? undefined : (kafka as unknown as Record<symbol, unknown>)[key];
  if (typeof create !== 'function')
    throw new InfrastructureError('this kafkajs client has no cluster factory (kafkajs 2.x expected)');
  return (create as CreateCluster)({
    metadataMaxAge: 300_000,
    allowAutoTopicCreation: false,
    isolationLevel: READ_COMMITTED,
  });
}

/** One partition's scan: where it started, where it stands, how many records it may still read. */
interface PartitionScan {
  partition: number;
  from: bigint;
  next: bigint;
  end: bigint;
  quota: number;
  read: number;
}

/**
 * How many records each partition may read so that `sample` is spread as evenly as the data allows:
 * equal shares, and what a short partition cannot use goes to the others.
 */
export function sampleQuotas(available: readonly number[], sample: number | undefined): number[] {
  if (sample === undefined) return [...available];
  const quotas = available.map(() => 0);
  let left = Math.max(0, Math.floor(sample));
  let open = available.map((_, i) => i).filter((i) => (available[i] ?? 0) > 0);
  while (left > 0 && open.length > 0) {
    const share = Math.max(1, Math.floor(left / open.length));
    for (const i of open) {
      const take = Math.min(share, (available[i] ?? 0) - (quotas[i] ?? 0), left);
      quotas[i] = (quotas[i] ?? 0) + take;
      left -= take;
      if (left === 0) break;
    }
    open = open.filter((i) => (quotas[i] ?? 0) < (available[i] ?? 0));
  }
  return quotas;
}

/** Words a person understands for a whole-value failure. */
const WHOLE_VALUE_REASONS: Record<Exclude<DecodeFailureKind, 'schema'>, string> = {
  null: 'value: null (a tombstone)',
  empty: 'value: empty',
  'too-large': 'value: larger than the contract allows',
  'not-utf8': 'value: not UTF-8',
  'not-json': 'value: not JSON',
  'not-object': 'value: not a JSON object',
};

/** Counts refusals by reason, keeping the first few coordinates of each. */
class RefusalTally {
  // By path, then by what was expected there: the reason's text is built once per reason, not per record.
  readonly #byPath = new Map<string, Map<string, RefusalCount>>();
  readonly #examplesPerReason: number;
  constructor(examplesPerReason: number) {
    this.#examplesPerReason = examplesPerReason;
  }

  /** Counts a refusal at `path`; `describe` words the reason the first time it is seen. */
  add(path: string, expected: string, describe: () => string, partition: number, offset: string): void {
    let byExpected = this.#byPath.get(path);
    if (byExpected === undefined) {
      byExpected = new Map();
      this.#byPath.set(path, byExpected);
    }
    let entry = byExpected.get(expected);
    if (entry === undefined) {
      entry = { path, reason: describe(), count: 0, examples: [] };
      byExpected.set(expected, entry);
    }
    entry.count++;
    if (entry.examples.length < this.#examplesPerReason) entry.examples.push({ partition, offset });
  }

  /** Most frequent first; ties by field path and reason, so the order is stable. */
  counts(): RefusalCount[] {
    return [...this.#byPath.values()]
      .flatMap((byExpected) => [...byExpected.values()])
      .sort((a, b) => b.count - a.count || a.path.localeCompare(b.path) || a.reason.localeCompare(b.reason));
  }
}

/**
 * Reads every partition of `options.topic` from its earliest offset up to the end offset read at the
 * start (or `sample` records in all) and decodes each value with `options.decode`. Joins no group and
 * commits nothing. A missing topic is an {@link InfrastructureError}; leadership and metadata races are
 * retried within the bounded budget of {@link retryRetriable}.
 *
 * A record refused for several fields counts once in `refused` and once under each of its reasons.
 */
export async function scanRetainedRecords(kafka: Kafka, options: RetainedScanOptions): Promise<RetainedScan> {
  const { topic, decode, signal } = options;
  const started = performance.now();
  const tally = new RefusalTally(options.examplesPerReason ?? DEFAULT_EXAMPLES);
  let scanned = 0;
  let refused = 0;

  const admin = kafka.admin();
  await admin.connect();
  let scans: PartitionScan[];
  try {
    const topics = await retryRetriable(`the topic list (looking for ${topic})`, () => admin.listTopics());
    if (!topics.includes(topic))
      throw new InfrastructureError(
        `topic "${topic}" does not exist; there are no retained records to check`,
      );
    const offsets = await retryRetriable(`the offsets of ${topic}`, () => admin.fetchTopicOffsets(topic));
    const sorted = offsets.sort((a, b) => a.partition - b.partition);
    const available = sorted.map(({ low, high }) => Number(BigInt(high) - BigInt(low)));
    const quotas = sampleQuotas(available, options.sample);
    scans = sorted.map(({ partition, low, high }, i) => ({
      partition,
      from: BigInt(low),
      next: BigInt(low),
      end: BigInt(high),
      quota: quotas[i] ?? 0,
      read: 0,
    }));
  } finally {
    await admin.disconnect();
  }
  const total = scans.reduce((sum, scan) => sum + scan.quota, 0);
  const open = (scan: PartitionScan) => scan.read < scan.quota && scan.next < scan.end;

  const judge = (scan: PartitionScan, message: FetchedMessage): void => {
    scanned++;
    const result = decode(message.value);
    if (result.ok) return;
    refused++;
    if (result.kind !== 'schema' || result.errors.length === 0) {
      const reason = result.kind === 'schema' ? `value: ${result.message}` : WHOLE_VALUE_REASONS[result.kind];
      tally.add('/', reason, () => reason, scan.partition, message.offset);
      return;
    }
    // The decoder reports one error per field, so a record counts at most once under each reason.
    for (const { path, expected } of result.errors)
      tally.add(
        path,
        expected,
        () => `${fieldName(path)}: expected ${expected}`,
        scan.partition,
        message.offset,
      );
  };

  const cluster = clusterOf(kafka);
  try {
    await retryRetriable(`the metadata of ${topic}`, async () => {
      await cluster.connect();
      await cluster.addTargetTopic(topic);
    });
    // The next round is asked for before this one is judged, so the broker serves it while we decode.
    const ask = (): Promise<FetchRound> | undefined => {
      const pending = scans.filter(open);
      if (pending.length === 0) return undefined;
      const answer = fetchOnce(cluster, topic, pending);
      // Awaited below; until then a failure must not surface as an unhandled rejection.
      answer.catch(() => {});
      return answer;
    };
    let round = ask();
    while (round !== undefined) {
      signal?.throwIfAborted();
      const pending = scans.filter(open);
      const { fetched, moved } = await round;
      const work: { scan: PartitionScan; messages: FetchedMessage[]; count: number }[] = [];
      let anyData = false;
      for (const scan of pending) {
        const data = fetched.get(scan.partition);
        if (data === undefined) continue;
        const batch = new Batch(topic, scan.next.toString(), data);
        if (batch.isEmptyIncludingFiltered()) continue;
        anyData = true;
        // Offsets compared as numbers only at the batch's tail: a BigInt per record costs a tenth of the rate.
        const { messages } = batch;
        let count = Math.min(messages.length, scan.quota - scan.read);
        while (count > 0 && BigInt((messages[count - 1] as FetchedMessage).offset) >= scan.end) count--;
        if (count > 0) {
          work.push({ scan, messages, count });
          scan.read += count;
          scan.next = BigInt((messages[count - 1] as FetchedMessage).offset) + 1n;
        }
        // Control records and aborted records take offsets too: step past what the batch held.
        if (scan.read < scan.quota) {
          const last = BigInt(batch.lastOffset()) + 1n;
          if (last > scan.next) scan.next = last < scan.end ? last : scan.end;
        }
      }
      // Nothing for any partition still open: the log holds nothing more that can be read now (an open
      // transaction, records removed by retention or compaction). A partition left empty while others
      // had data may only have been crowded out of the answer, so it is asked again.
      if (!anyData && !moved) for (const scan of pending) scan.end = scan.next;
      round = ask();
      for (const { scan, messages, count } of work)
        for (let i = 0; i < count; i++) judge(scan, messages[i] as FetchedMessage);
      options.onProgress?.(scanned, total === 0 ? 1 : Math.min(1, scanned / total));
    }
  } finally {
    await cluster.disconnect();
  }

  const elapsedMs = performance.now() - started;
  return {
    topic,
    scanned,
    refused,
    accepted: scanned - refused,
    partitions: scans.map(({ partition, from, next, read }) => ({
      partition,
      from: from.toString(),
      to: next.toString(),
      read,
    })),
    byReason: tally.counts(),
    elapsedMs,
    recordsPerSecond: elapsedMs > 0 ? (scanned * 1_000) / elapsedMs : 0,
  };
}

/** One Fetch round's answer per partition; `moved` when a partition was moved to its new log start instead. */
interface FetchRound {
  fetched: Map<number, FetchedPartition>;
  moved: boolean;
}

/**
 * One Fetch round over the open partitions: each leader asked once, all leaders at once. A leadership
 * race refreshes the metadata and the round is asked again; a position that retention removed since the
 * start (OFFSET_OUT_OF_RANGE) moves that partition to its new log start, and the round answers nothing.
 */
async function fetchOnce(cluster: Cluster, topic: string, pending: PartitionScan[]): Promise<FetchRound> {
  return retryRetriable(`records of ${topic}`, async () => {
    try {
      const byLeader = cluster.findLeaderForPartitions(
        topic,
        pending.map((scan) => scan.partition),
      );
      const answers = await Promise.all(
        Object.entries(byLeader).map(async ([nodeId, partitions]) => {
          const broker = await cluster.findBroker({ nodeId });
          const asked = pending.filter((scan) => partitions.includes(scan.partition));
          return broker.fetch({
            isolationLevel: READ_COMMITTED,
            maxWaitTime: FETCH.maxWaitTime,
            minBytes: FETCH.minBytes,
            maxBytes: FETCH.partitionMaxBytes * asked.length,
            topics: [
              {
                topic,
                partitions: asked.map((scan) => ({
                  partition: scan.partition,
                  fetchOffset: scan.next.toString(),
                  maxBytes: FETCH.partitionMaxBytes,
                })),
              },
            ],
          });
        }),
      );
      const fetched = new Map<number, FetchedPartition>();
      for (const { responses } of answers)
        for (const { partitions } of responses)
          for (const data of partitions) fetched.set(data.partition, data);
      return { fetched, moved: false };
    } catch (error) {
      const { name, partition } = error as { name?: unknown; partition?: unknown };
      const scan = pending.find((candidate) => candidate.partition === partition);
      if (name === 'KafkaJSOffsetOutOfRange' && scan !== undefined) {
        await moveToLogStart(cluster, topic, scan);
        return { fetched: new Map(), moved: true };
      }
      if (isRetriableKafkaError(error)) await cluster.refreshMetadata().catch(() => {});
      throw error;
    }
  });
}

/** Moves a partition's position past the records retention deleted under the scan (never backwards). */
async function moveToLogStart(cluster: Cluster, topic: string, scan: PartitionScan): Promise<void> {
  const [answer] = await cluster.fetchTopicsOffset([
    { topic, fromBeginning: true, partitions: [{ partition: scan.partition }] },
  ]);
  const start = answer?.partitions.find(({ partition }) => partition === scan.partition)?.offset;
  const earliest = start === undefined ? undefined : BigInt(start);
  // Out of range yet not behind the log start: the log was truncated under us (an unclean election).
  if (earliest === undefined || earliest <= scan.next)
    throw new InfrastructureError(
      `partition ${scan.partition} of "${topic}" no longer holds offset ${scan.next} (its log starts at ${start ?? 'an unknown offset'}); run the check again`,
    );
  scan.next = earliest < scan.end ? earliest : scan.end;
}

/** The scan in lines a person reads: totals, then each reason with its count and first coordinates. */
export function formatRetainedScan(scan: RetainedScan): string {
  const share = (count: number) =>
    scan.scanned === 0
      ? ''
      : ` (${((count / scan.scanned) * 100).toFixed(count === scan.scanned || count === 0 ? 0 : 2)}%)`;
  const lines = [
    `${scan.topic}: ${formatCount(scan.scanned)} records read, ${formatCount(scan.refused)} refused${share(scan.refused)}, ${formatCount(scan.accepted)} accepted`,
    `  partitions: ${scan.partitions.map(({ partition, from, to, read }) => `p${partition} ${from}..${to} (${formatCount(read)})`).join(', ') || 'none'}`,
  ];
  if (scan.byReason.length > 0) lines.push('  refused by reason:');
  for (const { reason, count, examples } of scan.byReason) {
    const at = examples.map(({ partition, offset }) => `p${partition}@${offset}`).join(', ');
    lines.push(`    ${formatCount(count)}  ${reason}${at ? `  e.g. ${at}` : ''}`);
  }
  lines.push(`  ${(scan.elapsedMs / 1_000).toFixed(1)} s, ${formatRate(scan.recordsPerSecond)} records/s`);
  return lines.join('\n');
}
