import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { CONSUME_GROUP } from '../../contracts/groups.ts';
import type { RatingEvent } from '../../contracts/rating.ts';
import { RATINGS_TOPIC } from '../../contracts/topics.ts';
import type { DecodeFailureKind } from '../codec/decode.ts';
import { decodeRating } from '../codec/events.ts';
import { pollUntil } from '../wait/poll-until.ts';
import { type DeadLetter, writeDeadLetters } from './dead-letter.ts';
import { offsetCommitter } from './offset-committer.ts';

/** The consumer group of the hello-world flow. */
export const DEFAULT_GROUP_ID = CONSUME_GROUP;

/** Options of {@link consumeRatings}. */
export interface ConsumeOptions {
  topic: string;
  groupId: string;
  /** Stop after this many records (valid or not). */
  maxMessages: number;
  /** Stop when no record arrived for this long. */
  idleTimeoutMs: number;
  /** Where a group with no committed offset starts. */
  fromBeginning: boolean;
  /** How many records to keep verbatim for display. */
  sampleSize: number;
  /** Called for every valid event, in partition order. */
  onEvent: (event: RatingEvent, record: ConsumedRecord) => void;
  /** Called once the consumer has joined its group: the moment it is safe to produce. */
  onJoined: () => void;
  /**
   * Where invalid records go, with their original bytes and the reason in headers. Unset: they are
   * only counted. A failed dead-letter write stops the run without committing past the record.
   */
  deadLetterTopic: string | undefined;
  /** Stops the run when aborted, like the idle timeout: what was read so far is committed. */
  signal: AbortSignal | undefined;
  /** Where to start, per partition, whatever the group committed (e.g. the end offsets before a produce). */
  startOffsets: { partition: number; offset: string }[] | undefined;
  /**
   * How long the group waits for a silent member before giving its partitions away. 10 s by default;
   * specs that kill consumers go lower (the broker's group.min.session.timeout.ms is the floor).
   */
  sessionTimeoutMs: number;
}

/** A record as the consumer saw it. */
export interface ConsumedRecord {
  partition: number;
  offset: string;
  key: string | null;
  timestamp: string;
  value: string | null;
  headers: Record<string, string>;
}

/** What a consumer run saw; `valid + invalid = total`. */
export interface ConsumeSummary {
  total: number;
  valid: number;
  invalid: number;
  invalidByReason: Partial<Record<DecodeFailureKind, number>>;
  /** The first error messages, with partition and offset. */
  errors: string[];
  perPartition: Record<number, number>;
  /** Valid ratings by star value ("0.5" ... "5.0"). */
  ratingDistribution: Record<string, number>;
  firstRecords: ConsumedRecord[];
  /** Next offset committed per partition at the end of the run. */
  committed: Record<number, string>;
  elapsedMs: number;
  /** Milliseconds from the start to the last committed batch: the busy part of the run, idle wait excluded. */
  lastRecordMs: number;
  /** Records written to the dead-letter topic. */
  deadLettered: number;
  stoppedBecause: 'max-messages' | 'idle-timeout' | 'aborted' | 'error';
  /** Why the run stopped early (a dead-letter write that failed); nothing was committed past it. */
  error: string | undefined;
}

const MAX_ERRORS_KEPT = 20;

/** Reads a record into plain strings (headers may hold Buffers or arrays). */
export function toConsumedRecord(partition: number, message: KafkaMessage): ConsumedRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined)
      headers[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return {
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    timestamp: message.timestamp,
    value: message.value ? message.value.toString('utf8') : null,
    headers,
  };
}

/**
 * Consumes and validates ratings until `maxMessages` or the idle timeout, committing after every
 * batch. An invalid record is counted with its reason and committed past: it never throws out of
 * the handler (kafkajs would retry it forever) and never stalls the run.
 */
export async function consumeRatings(
  kafka: Kafka,
  options: Partial<ConsumeOptions> = {},
): Promise<ConsumeSummary> {
  const topic = options.topic ?? RATINGS_TOPIC.name;
  const maxMessages = options.maxMessages ?? Number.POSITIVE_INFINITY;
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const sampleSize = options.sampleSize ?? 5;
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000;
  const decode = decodeRating();
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId ?? DEFAULT_GROUP_ID,
    // Short session and heartbeat: a restarted consumer takes its partitions back quickly.
    sessionTimeout: sessionTimeoutMs,
    heartbeatInterval: Math.min(1_000, Math.floor(sessionTimeoutMs / 5)),
    maxWaitTimeInMs: 250,
  });
  const summary: ConsumeSummary = {
    total: 0,
    valid: 0,
    invalid: 0,
    invalidByReason: {},
    errors: [],
    perPartition: {},
    ratingDistribution: {},
    firstRecords: [],
    committed: {},
    elapsedMs: 0,
    lastRecordMs: 0,
    deadLettered: 0,
    stoppedBecause: 'idle-timeout',
    error: undefined,
  };
  const deadLetterTopic = options.deadLetterTopic;
  const deadLetterProducer = deadLetterTopic
    ? kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        retry: { retries: 5 },
      })
    : undefined;
  const started = performance.now();
  let lastActivity = Date.now();
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const abort = (): void => {
    summary.stoppedBecause = 'aborted';
    finish();
  };
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  // Commits run beside the fetch loop, one at a time (see offset-committer.ts); the run ends with a flush.
  const commits = offsetCommitter(consumer, topic, (partition, offset) => {
    summary.committed[partition] = offset;
    summary.lastRecordMs = performance.now() - started;
  });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    lastActivity = Date.now();
    // Offsets processed under the previous assignment are read again by whoever owns them now.
    commits.forget();
    // GROUP_JOIN fires inside kafkajs' join, before the first fetch, so the seek is what that fetch uses.
    // Repeated on a re-join (a crash on a fresh broker restarts the consumer) until something was committed.
    if (Object.keys(summary.committed).length === 0) {
      for (const start of options.startOffsets ?? []) consumer.seek({ topic, ...start });
    }
    options.onJoined?.();
  });

  const runConfig: Parameters<Consumer['run']>[0] = {
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      if (summary.error !== undefined) return;
      let last: string | undefined;
      const letters: DeadLetter[] = [];
      for (const message of batch.messages) {
        if (!isRunning() || isStale() || summary.total >= maxMessages) break;
        const failure = account(summary, batch.partition, message, decode, sampleSize, options.onEvent);
        if (failure && deadLetterTopic)
          letters.push({ topic, partition: batch.partition, message, ...failure });
        last = message.offset;
      }
      if (deadLetterProducer && deadLetterTopic && letters.length > 0) {
        try {
          await writeDeadLetters(deadLetterProducer, deadLetterTopic, letters);
          summary.deadLettered += letters.length;
        } catch (error) {
          // Not committed: the records stay on the source topic for the next run to route.
          summary.error = `dead-letter write to ${deadLetterTopic} failed, offsets not committed: ${error instanceof Error ? error.message : String(error)}`;
          summary.stoppedBecause = 'error';
          finish();
          return;
        }
      }
      if (last !== undefined) {
        resolveOffset(last);
        commits.request(batch.partition, (BigInt(last) + 1n).toString());
        lastActivity = Date.now();
      }
      await heartbeat();
      if (summary.total >= maxMessages) {
        summary.stoppedBecause = 'max-messages';
        finish();
      }
    },
  };

  // kafkajs restarts a crashed consumer only when the crash's cause is retriable; other crashes (seen while
  // a broker shuts down) leave it stopped for good, and the run would idle until its timeout with the
  // records still unread. Such a consumer is started again, within the idle timeout; past it the run ends
  // with the error instead of stalling.
  let done = false;
  void finished.then(() => {
    done = true;
  });
  let restarting = false;
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart || done || restarting) return;
    restarting = true;
    const cause = payload.error instanceof Error ? payload.error.message : String(payload.error);
    pollUntil(
      async () => {
        if (done) return true;
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? false });
        await consumer.run(runConfig);
        return true;
      },
      (ok) => ok,
      {
        what: `the consumer of ${topic} to start again after it stopped (${cause})`,
        timeoutMs: idleTimeoutMs,
        intervalMs: 250,
        maxIntervalMs: 2_000,
        retryOn: () => !done,
      },
    ).then(
      () => {
        restarting = false;
      },
      (error: unknown) => {
        summary.error ??= error instanceof Error ? error.message : String(error);
        summary.stoppedBecause = 'error';
        finish();
      },
    );
  });

  await deadLetterProducer?.connect();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? false });
    await consumer.run(runConfig);
    const idleCheck = setInterval(
      () => {
        if (Date.now() - lastActivity >= idleTimeoutMs) finish();
      },
      Math.min(250, idleTimeoutMs),
    );
    await finished;
    clearInterval(idleCheck);
    try {
      await commits.flush();
    } catch (error) {
      summary.error ??= `commit of offsets on ${topic} failed: ${error instanceof Error ? error.message : String(error)}`;
      summary.stoppedBecause = 'error';
    }
  } finally {
    await consumer.disconnect();
    await deadLetterProducer?.disconnect();
  }
  summary.elapsedMs = performance.now() - started;
  return summary;
}

function account(
  summary: ConsumeSummary,
  partition: number,
  message: KafkaMessage,
  decode: ReturnType<typeof decodeRating>,
  sampleSize: number,
  onEvent: ConsumeOptions['onEvent'] | undefined,
): { kind: DecodeFailureKind; reason: string } | undefined {
  summary.total++;
  summary.perPartition[partition] = (summary.perPartition[partition] ?? 0) + 1;
  const record =
    summary.firstRecords.length < sampleSize || onEvent ? toConsumedRecord(partition, message) : undefined;
  if (record && summary.firstRecords.length < sampleSize) summary.firstRecords.push(record);
  const result = decode(message.value);
  if (result.ok) {
    summary.valid++;
    const stars = result.value.rating.toFixed(1);
    summary.ratingDistribution[stars] = (summary.ratingDistribution[stars] ?? 0) + 1;
    if (onEvent && record) onEvent(result.value, record);
    return undefined;
  }
  summary.invalid++;
  summary.invalidByReason[result.kind] = (summary.invalidByReason[result.kind] ?? 0) + 1;
  if (summary.errors.length < MAX_ERRORS_KEPT)
    summary.errors.push(`partition ${partition} offset ${message.offset}: ${result.message}`);
  return { kind: result.kind, reason: result.message };
}

/** A fresh, unique group id for a spec or a one-off run. */
export const uniqueGroupId = (prefix = 'ratings-consumer'): string => `${prefix}-${randomUUID()}`;
