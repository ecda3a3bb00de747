import { CompressionTypes, type Kafka, type Message, type Producer, type RecordMetadata } from 'kafkajs';
import type { RatingEvent } from '../../contracts/rating.ts';
import { RATINGS_TOPIC } from '../../contracts/topics.ts';
import { createEncoder } from '../codec/encode.ts';
import { RATING_CONTRACT } from '../codec/events.ts';
import { InfrastructureError } from '../errors.ts';
import { javaDefaultPartition } from '../partitioner/murmur2.ts';
import { describeSendFailure } from './send-failure.ts';

/** Options of {@link createRatingsProducer}. */
export interface RatingsProducerOptions {
  topic: string;
  /** Records per send(): large enough for full LZ4 batches, small enough to bound memory. */
  batchSize: number;
  /** When set, every record carries `run-id` and `seq` headers so a reader can prove exactly-once. */
  runId: string | undefined;
  /** Called after every acknowledged batch; `batchMs` is that batch's send-to-acknowledgement time. */
  onProgress: (progress: { sent: number; refused: number; batchMs: number }) => void;
  /** Called the moment an event is refused, before the next one is read, so a caller can say where it came from. */
  onRefused: (refusal: Refusal) => void;
  /** How long a send keeps retrying while the broker is away; see {@link DEFAULT_RETRY}. */
  retry: RetryOptions;
  /**
   * How long the leader may hold one send waiting for its in-sync replicas (the produce request's
   * timeout; kafkajs' default is 30 s). A send appended just as the in-sync replicas drop below
   * min.insync.replicas is answered only when this runs out.
   */
  ackTimeoutMs: number | undefined;
}

/** Retry budget of one send: `retries` attempts with exponential backoff capped at `maxRetryTime` ms. */
export interface RetryOptions {
  retries: number;
  initialRetryTime: number;
  maxRetryTime: number;
  factor: number;
  multiplier: number;
}

/**
 * Retries of a send on retriable broker answers (leader moved, request timed out): about 30 s, then the
 * send fails so the caller hears of it. kafkajs' idempotent default is to retry forever, which would
 * stall a producer silently. A broker that refuses connections is governed by the client's own,
 * shorter connection budget (see kafkaClient): when that runs out the send fails at once.
 */
export const DEFAULT_RETRY: RetryOptions = {
  retries: 10,
  initialRetryTime: 300,
  maxRetryTime: 5_000,
  factor: 0.2,
  multiplier: 2,
};

/**
 * A connection budget that rides out a broker restart: about 52 s of reconnecting before a send fails.
 * A test broker is back within 2-6 s on an idle machine but took 25-28 s on a 2-core one running two
 * suites side by side, and a production broker recovering its logs takes longer still. For the client a
 * long-running producer uses; the default client budget is short so that an address that never answers
 * is reported at once.
 */
export const RESTART_CONNECTION_RETRY = {
  retries: 20,
  initialRetryTime: 250,
  maxRetryTime: 3_000,
  factor: 0.2,
  multiplier: 2,
} as const;

/**
 * A retry budget of about `budgetMs` in all (kafkajs' backoff is randomised by `factor`), with
 * {@link DEFAULT_RETRY}'s pace: how long a send keeps retrying retriable answers before it fails.
 */
export function retryWithin(budgetMs: number): RetryOptions {
  const maxRetryTime = Math.min(
    DEFAULT_RETRY.maxRetryTime,
    Math.max(DEFAULT_RETRY.initialRetryTime, budgetMs / 4),
  );
  let retries = 0;
  for (let total = 0, wait = DEFAULT_RETRY.initialRetryTime; total < budgetMs; retries++) {
    total += wait;
    wait = Math.min(wait * DEFAULT_RETRY.multiplier, maxRetryTime);
  }
  return { ...DEFAULT_RETRY, retries, maxRetryTime };
}

/** An event the producer refused to send, with the reason. */
export interface Refusal {
  index: number;
  message: string;
}

/** What a production run did. `sent` counts only acknowledged records. */
export interface ProduceSummary {
  sent: number;
  refused: Refusal[];
  refusedCount: number;
  /** Records in a send the broker never acknowledged. */
  failed: number;
  bytes: number;
  elapsedMs: number;
  /** Set when a send failed after kafkajs exhausted its retries; the run stopped there. */
  error: string | undefined;
}

/** Keeps the first refusals verbatim; the count covers them all. */
const MAX_REFUSALS_KEPT = 100;

/** The key of a rating: its userId as a decimal string (see RATINGS_TOPIC.key). */
export const ratingKey = (event: Pick<RatingEvent, 'userId'>): string => String(event.userId);

/** How many times the records of a send that kafkajs answered without their partitions are sent again. */
const MAX_DROPPED_RESENDS = 5;

/**
 * The Java-compatible partitioner, recording the partition kafkajs last placed each record in, and the
 * check that uses it. kafkajs (2.2.4, `producer/sendMessages.js`) keeps the answer of every broker that
 * answered a send and, on a retry, regroups the partitions by their current leaders but sends only to
 * brokers without an answer: when a partition's leader moves to a broker that already answered for other
 * partitions (a broker stopping mid-send), that partition's records are never sent, and the send resolves
 * as if they were. Every record whose partition is missing from the answer is therefore sent again.
 */
function placementRecorder() {
  const partitionOf = new WeakMap<Message, number>();
  const choose = javaCompatiblePartitioner();
  return {
    partitioner: () => (args: { partitionMetadata: unknown[]; message: Message }) => {
      const partition = choose(args);
      partitionOf.set(args.message, partition);
      return partition;
    },
    /** The records whose partition `acknowledged` (what producer.send resolved with) does not list. */
    notAcknowledged(messages: Message[], topic: string, acknowledged: RecordMetadata[]): Message[] {
      const partitions = new Set(
        acknowledged
          .filter((record) => record.topicName === topic && record.errorCode === 0)
          .map((record) => record.partition),
      );
      return messages.filter((message) => !partitions.has(partitionOf.get(message) ?? -1));
    },
  };
}

/** The Java client's default partitioner, so Spark/Java producers and ours agree on every user. */
export const javaCompatiblePartitioner = () => (args: { partitionMetadata: unknown[]; message: Message }) =>
  javaDefaultPartition(args.message.key ?? '', args.partitionMetadata.length);

/**
 * Creates the ratings producer: every event validated before it is sent (invalid ones are counted and
 * reported, never sent), key = userId, LZ4, idempotent with acks=all, batched sends.
 */
export async function createRatingsProducer(kafka: Kafka, options: Partial<RatingsProducerOptions> = {}) {
  const topic = options.topic ?? RATINGS_TOPIC.name;
  const batchSize = options.batchSize ?? 2_000;
  const encode = createEncoder(RATING_CONTRACT);
  const placed = placementRecorder();
  const producer: Producer = kafka.producer({
    idempotent: true,
    // One request in flight per broker keeps the idempotent sequence numbers in order across retries.
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: placed.partitioner,
    retry: { ...DEFAULT_RETRY, ...options.retry },
  });
  try {
    await producer.connect();
  } catch (error) {
    // A connect that fails half-way (e.g. no producer id: the cluster lost its controller quorum) leaves
    // sockets and reconnect timers behind that would keep the process alive.
    await producer.disconnect().catch(() => {});
    throw error;
  }

  /**
   * Sends every event of the (possibly async, possibly huge) source; streams, never buffers it all.
   * `firstSeq` is the `seq` header of the first event: a caller resuming after a failed send passes
   * where it stopped, so one run keeps one numbering across calls.
   */
  async function sendAll(
    events: Iterable<RatingEvent> | AsyncIterable<RatingEvent>,
    { firstSeq = 0 }: { firstSeq?: number } = {},
  ): Promise<ProduceSummary> {
    const started = performance.now();
    const summary: ProduceSummary = {
      sent: 0,
      refused: [],
      refusedCount: 0,
      failed: 0,
      bytes: 0,
      elapsedMs: 0,
      error: undefined,
    };
    let batch: Message[] = [];
    let index = 0;
    const flush = async (): Promise<boolean> => {
      if (batch.length === 0) return true;
      const messages = batch;
      batch = [];
      try {
        const sendStarted = performance.now();
        let unsent = messages;
        for (let attempt = 1; unsent.length > 0; attempt++) {
          const acknowledged = await producer.send({
            topic,
            acks: -1,
            compression: CompressionTypes.LZ4,
            messages: unsent,
            ...(options.ackTimeoutMs !== undefined ? { timeout: options.ackTimeoutMs } : {}),
          });
          unsent = placed.notAcknowledged(unsent, topic, acknowledged);
          if (unsent.length > 0 && attempt >= MAX_DROPPED_RESENDS)
            throw new InfrastructureError(
              `${unsent.length} record(s) were never sent: the client answered ${attempt} sends without their partitions`,
            );
        }
        const batchMs = performance.now() - sendStarted;
        summary.sent += messages.length;
        for (const message of messages) summary.bytes += (message.value as Buffer).length;
        options.onProgress?.({ sent: summary.sent, refused: summary.refusedCount, batchMs });
        return true;
      } catch (error) {
        summary.failed += messages.length;
        summary.error = `send to ${topic} failed after retries: ${describeSendFailure(error)}`;
        return false;
      }
    };
    /** Encodes one event into the batch (or refuses it); true when the batch is full and must be sent. */
    const take = (event: RatingEvent): boolean => {
      const encoded = encode(event);
      if (!encoded.ok) {
        summary.refusedCount++;
        const refusal = { index, message: encoded.message };
        if (summary.refused.length < MAX_REFUSALS_KEPT) summary.refused.push(refusal);
        options.onRefused?.(refusal);
      } else {
        // The record timestamp stays the send time: MovieLens ratings date from 1995-2015, and as
        // CreateTime they would fall outside the 7-day retention and be deleted at once.
        const message: Message = { key: ratingKey(event), value: encoded.bytes };
        if (options.runId) message.headers = { 'run-id': options.runId, seq: String(firstSeq + index) };
        batch.push(message);
      }
      index++;
      return batch.length >= batchSize;
    };
    if (Symbol.asyncIterator in events) {
      for await (const event of events) if (take(event) && !(await flush())) break;
    } else {
      // A plain iterable (the seeded source) is read without an await per event, only one per send.
      for (const event of events) if (take(event) && !(await flush())) break;
    }
    if (summary.error === undefined) await flush();
    summary.elapsedMs = performance.now() - started;
    return summary;
  }

  const disconnect = () => producer.disconnect();
  return { sendAll, disconnect, producer, [Symbol.asyncDispose]: disconnect };
}

/** The producer handle returned by {@link createRatingsProducer}. */
export type RatingsProducer = Awaited<ReturnType<typeof createRatingsProducer>>;
