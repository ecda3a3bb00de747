import { randomUUID } from 'node:crypto';
import type {
  Consumer,
  ConsumerGroupJoinEvent,
  EachBatchPayload,
  Kafka,
  KafkaMessage,
  Producer,
} from 'kafkajs';
import { CONSUME_GROUP } from '../../contracts/groups.ts';
import type { RatingEvent } from '../../contracts/rating.ts';
import { RATINGS_TOPIC } from '../../contracts/topics.ts';
import type { DecodeFailureKind } from '../codec/decode.ts';
import { decodeRating } from '../codec/events.ts';
import { pollUntil } from '../wait/poll-until.ts';
import { type DeadLetter, writeDeadLetters } from './dead-letter.ts';
import { type OffsetCommitter, offsetCommitter } from './offset-committer.ts';

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
  /** Called for every commit try that failed (the committer tries again or keeps them pending): for diagnostics. */
  onCommitFailure: (error: unknown, offsets: { partition: number; offset: string }[]) => void;
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
export function consumeRatings(kafka: Kafka, options: Partial<ConsumeOptions> = {}): Promise<ConsumeSummary> {
  return new RatingsRun(kafka, options).run();
}

const emptySummary = (): ConsumeSummary => ({
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
});

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** One run of {@link consumeRatings}: the consumer, what it saw, and how the run ends. */
class RatingsRun {
  private readonly topic: string;
  private readonly maxMessages: number;
  private readonly idleTimeoutMs: number;
  private readonly sampleSize: number;
  private readonly decode = decodeRating();
  private readonly consumer: Consumer;
  private readonly deadLetterProducer: Producer | undefined;
  private readonly commits: OffsetCommitter;
  private readonly summary = emptySummary();
  private readonly started = performance.now();
  private lastActivity = Date.now();
  /** Set once by {@link end}: every later event (a batch, a crash) is ignored. */
  private done = false;
  private restarting = false;
  /** Set by a join: the first fetch after it commits again what this member kept (see offset-committer.ts). */
  private recommit = false;
  private finish: () => void = () => {};
  private readonly finished = new Promise<void>((resolve) => {
    this.finish = resolve;
  });

  private readonly options: Partial<ConsumeOptions>;

  constructor(kafka: Kafka, options: Partial<ConsumeOptions>) {
    this.options = options;
    this.topic = options.topic ?? RATINGS_TOPIC.name;
    this.maxMessages = options.maxMessages ?? Number.POSITIVE_INFINITY;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.sampleSize = options.sampleSize ?? 5;
    const sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000;
    this.consumer = kafka.consumer({
      groupId: options.groupId ?? DEFAULT_GROUP_ID,
      // Short session and heartbeat: a restarted consumer takes its partitions back quickly.
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.min(1_000, Math.floor(sessionTimeoutMs / 5)),
      maxWaitTimeInMs: 250,
    });
    this.deadLetterProducer = options.deadLetterTopic
      ? kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
          retry: { retries: 5 },
        })
      : undefined;
    // Commits run beside the fetch loop, one at a time (see offset-committer.ts); the run ends with a flush.
    this.commits = offsetCommitter(
      this.consumer,
      this.topic,
      (partition, offset) => {
        this.summary.committed[partition] = offset;
        this.summary.lastRecordMs = performance.now() - this.started;
      },
      undefined,
      options.onCommitFailure,
    );
  }

  async run(): Promise<ConsumeSummary> {
    const { signal } = this.options;
    if (signal?.aborted) this.end('aborted');
    signal?.addEventListener('abort', () => this.end('aborted'), { once: true });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => this.joined(event));
    // kafkajs has no partitions-revoked hook: REBALANCING is emitted when a heartbeat hears the group
    // rebalance, just before kafkajs rejoins. The commit starts now, so its request reaches the
    // coordinator before the JoinGroup (which waits for a FindCoordinator answer first), while the
    // coordinator still takes commits of the ending generation.
    this.consumer.on(this.consumer.events.REBALANCING, () => {
      this.commits.flush().catch(() => {});
    });
    // A commit made inside the join would be dropped: a restarted runner is not "running" until its
    // join returns, and kafkajs' commitOffsets returns without sending while it is not.
    this.consumer.on(this.consumer.events.FETCH_START, () => {
      if (!this.recommit) return;
      this.recommit = false;
      this.commits.flush().catch(() => {});
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.restartAfterFatalCrash(payload.error);
    });
    await this.deadLetterProducer?.connect();
    await this.consumer.connect();
    try {
      await this.subscribeAndRun();
      const idleCheck = setInterval(
        () => {
          if (Date.now() - this.lastActivity >= this.idleTimeoutMs) this.end('idle-timeout');
        },
        Math.min(250, this.idleTimeoutMs),
      );
      await this.finished;
      clearInterval(idleCheck);
      await this.flushCommits();
    } finally {
      await this.consumer.disconnect();
      await this.deadLetterProducer?.disconnect();
    }
    this.summary.elapsedMs = performance.now() - this.started;
    return this.summary;
  }

  /** Ends the run (the first reason wins; an error always shows as one). */
  private end(reason: ConsumeSummary['stoppedBecause'], error?: string): void {
    if (error !== undefined) {
      this.summary.error ??= error;
      this.summary.stoppedBecause = 'error';
    } else if (!this.done && reason !== 'idle-timeout') {
      this.summary.stoppedBecause = reason;
    }
    this.done = true;
    this.finish();
  }

  private async subscribeAndRun(): Promise<void> {
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: this.options.fromBeginning ?? false });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  private joined({ payload }: ConsumerGroupJoinEvent): void {
    this.lastActivity = Date.now();
    // What this member processed on partitions it kept resumes where it was, and is committed again under
    // the new generation; the rest is read again by whoever owns it now.
    const kept = this.commits.rejoined(payload.memberAssignment[this.topic] ?? []);
    this.recommit = kept.length > 0;
    // GROUP_JOIN fires inside kafkajs' join, before the first fetch, so the seek is what that fetch uses.
    // Repeated on a re-join (a crash on a fresh broker restarts the consumer) until something was committed.
    if (Object.keys(this.summary.committed).length === 0) {
      for (const start of this.options.startOffsets ?? [])
        this.consumer.seek({ topic: this.topic, ...start });
    }
    // The latest seek of a partition wins.
    for (const position of kept) this.consumer.seek({ topic: this.topic, ...position });
    this.options.onJoined?.();
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) {
    if (this.summary.error !== undefined) return;
    const { deadLetterTopic } = this.options;
    let last: string | undefined;
    const letters: DeadLetter[] = [];
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.summary.total >= this.maxMessages) break;
      const failure = account(
        this.summary,
        batch.partition,
        message,
        this.decode,
        this.sampleSize,
        this.options.onEvent,
      );
      if (failure && deadLetterTopic)
        letters.push({ topic: this.topic, partition: batch.partition, message, ...failure });
      last = message.offset;
    }
    if (this.deadLetterProducer && deadLetterTopic && letters.length > 0) {
      try {
        await writeDeadLetters(this.deadLetterProducer, deadLetterTopic, letters);
        this.summary.deadLettered += letters.length;
      } catch (error) {
        // Not committed: the records stay on the source topic for the next run to route.
        this.end(
          'error',
          `dead-letter write to ${deadLetterTopic} failed, offsets not committed: ${messageOf(error)}`,
        );
        return;
      }
    }
    if (last !== undefined) {
      resolveOffset(last);
      this.commits.request(batch.partition, (BigInt(last) + 1n).toString());
      this.lastActivity = Date.now();
    }
    try {
      await heartbeat();
    } catch (error) {
      // The group rebalances: what was processed is committed while this member still holds the
      // partitions (the coordinator takes commits of the current generation until the rebalance
      // completes), before kafkajs rejoins and the partitions may go to another member.
      if ((error as { type?: unknown }).type === 'REBALANCE_IN_PROGRESS')
        await this.commits.flush().catch(() => {});
      throw error;
    }
    if (this.summary.total >= this.maxMessages) this.end('max-messages');
  }

  /**
   * kafkajs restarts a crashed consumer only when the crash's cause is retriable; other crashes (seen
   * while a broker shuts down) leave it stopped for good, and the run would idle until its timeout with
   * the records still unread. Such a consumer is started again, within the idle timeout; past it the run
   * ends with the error instead of stalling.
   */
  private restartAfterFatalCrash(crash: unknown): void {
    if (this.done || this.restarting) return;
    this.restarting = true;
    pollUntil(
      async () => {
        if (this.done) return true;
        await this.consumer.connect();
        await this.subscribeAndRun();
        return true;
      },
      (ok) => ok,
      {
        what: `the consumer of ${this.topic} to start again after it stopped (${messageOf(crash)})`,
        timeoutMs: this.idleTimeoutMs,
        intervalMs: 250,
        maxIntervalMs: 2_000,
        retryOn: () => !this.done,
      },
    ).then(
      () => {
        this.restarting = false;
      },
      (error: unknown) => this.end('error', messageOf(error)),
    );
  }

  private async flushCommits(): Promise<void> {
    try {
      await this.commits.flush();
    } catch (error) {
      this.summary.error ??= `commit of offsets on ${this.topic} failed: ${messageOf(error)}`;
      this.summary.stoppedBecause = 'error';
    }
  }
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
