// The whole hello-world phase as one check: reachable broker, contract topics, a produce/consume round
// trip of this run's own records, committed offsets, and the run's metric events.

import { randomInt, randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { VERIFY_GROUP_PREFIX } from '../../contracts/groups.ts';
import type { RatingEvent } from '../../contracts/rating.ts';
import { METRICS_TOPIC, RATINGS_TOPIC, type TopicProfile, topicsForProfile } from '../../contracts/topics.ts';
import { allMatch, ensureTopics, formatTopicReports } from '../admin/ensure-topics.ts';
import { committedOffsets, endOffsets, topicOffsets } from '../admin/topic-offsets.ts';
import { decodeRating } from '../codec/events.ts';
import { formatRetainedScan, type RetainedScan, scanRetainedRecords } from '../compat/retained-records.ts';
import { readRunMetrics } from '../consumer/metrics-reader.ts';
import { uniqueGroupId } from '../consumer/ratings-consumer.ts';
import { randomRatings } from '../sources/random-ratings.ts';
import { runConsumeFlow } from './consume-flow.ts';
import { runProduceFlow } from './produce-flow.ts';

/** How one step ended; SKIP when an earlier step failed. */
export type StepStatus = 'PASS' | 'FAIL' | 'SKIP';

/** One verify step with its timing and what it found. */
export interface VerifyStep {
  name: string;
  status: StepStatus;
  ms: number;
  details: string[];
}

/** Options of {@link runVerify}. */
export interface VerifyOptions {
  profile: TopicProfile;
  /** Ratings in the round trip. */
  count: number;
  /** How long the consumer waits for this run's records before giving up. */
  consumeTimeoutMs: number;
  /** How long to wait for this run's metric events. */
  metricsTimeoutMs: number;
  /**
   * At most this many retained `ratings` records (spread over partitions) judged with the working contract
   * before this run writes: on a deployment, the records a contract change must still read.
   */
  retainedSample: number;
  /** Called as each step ends, so a person sees progress. */
  onStep: (step: VerifyStep) => void;
  /** The line a person reads when the broker cannot be reached (the CLI's, with what to check). */
  explainUnreachable: (error: unknown) => string;
}

/** The verdict: every step, and whether the first one (reaching the broker) failed. */
export interface VerifyResult {
  runId: string;
  ok: boolean;
  unreachable: boolean;
  steps: VerifyStep[];
}

/** What a step reports: pass or fail, and lines a person can act on. */
export interface StepOutcome {
  ok: boolean;
  details: string[];
}

const STEP_NAMES = [
  'broker reachable',
  'topics created and matching their contract',
  'retained ratings valid under the working contract',
  'ratings produced',
  'ratings consumed and valid',
  'consumer group offsets committed',
  'metric events received',
] as const;

/** Runs every step against the cluster behind `kafka`; a failed step skips the rest. */
export async function runVerify(kafka: Kafka, options: Partial<VerifyOptions> = {}): Promise<VerifyResult> {
  const run = new VerifyRun(kafka, options);
  const bodies: Record<(typeof STEP_NAMES)[number], () => Promise<StepOutcome>> = {
    'broker reachable': () => run.reachBroker(),
    'topics created and matching their contract': () => run.ensureTopics(),
    'retained ratings valid under the working contract': () => run.judgeRetained(),
    'ratings produced': () => run.produce(),
    'ratings consumed and valid': () => run.consume(),
    'consumer group offsets committed': () => run.checkCommitted(),
    'metric events received': () => run.readMetrics(),
  };
  const steps: VerifyStep[] = [];
  try {
    let failed = false;
    for (const name of STEP_NAMES) {
      const step: VerifyStep = failed ? skipped(name) : await timed(name, bodies[name]);
      failed ||= step.status === 'FAIL';
      steps.push(step);
      options.onStep?.(step);
    }
  } finally {
    await run.close();
  }
  return {
    runId: run.runId,
    ok: steps.every((step) => step.status === 'PASS'),
    unreachable: steps[0]?.status === 'FAIL',
    steps,
  };
}

/** One verify run: its identity, and the state its steps hand to each other. */
class VerifyRun {
  readonly runId = randomUUID();
  private readonly seed = randomInt(2 ** 32);
  private readonly groupId = uniqueGroupId(VERIFY_GROUP_PREFIX);
  private readonly count: number;
  private readonly sent: RatingEvent[];
  private readonly admin: Admin;
  /** End offsets of `ratings` before and after this run's produce. */
  private before = new Map<number, bigint>();
  private after = new Map<number, bigint>();
  /** Where this run's metric events can start on `metrics`. */
  private metricsStart: { partition: number; offset: string }[] = [];
  /** This run's records as read back, by sequence number. */
  private readonly ours = new Map<number, { partition: number; offset: bigint }>();
  private readonly kafka: Kafka;
  private readonly options: Partial<VerifyOptions>;

  constructor(kafka: Kafka, options: Partial<VerifyOptions>) {
    this.kafka = kafka;
    this.options = options;
    this.count = options.count ?? 10;
    this.sent = [...randomRatings(this.seed, this.count)];
    this.admin = kafka.admin();
  }

  async close(): Promise<void> {
    await this.admin.disconnect().catch(() => {});
  }

  async reachBroker(): Promise<StepOutcome> {
    let cluster: Awaited<ReturnType<Admin['describeCluster']>>;
    try {
      await this.admin.connect();
      cluster = await this.admin.describeCluster();
    } catch (error) {
      if (!this.options.explainUnreachable) throw error;
      return { ok: false, details: [this.options.explainUnreachable(error)] };
    }
    return {
      ok: cluster.brokers.length > 0 && cluster.controller !== null,
      details: [
        `cluster ${cluster.clusterId}: ${cluster.brokers.length} broker(s), controller ${cluster.controller}`,
      ],
    };
  }

  async ensureTopics(): Promise<StepOutcome> {
    const topics = topicsForProfile(this.options.profile ?? 'development');
    const reports = await ensureTopics(this.admin, topics, { mode: 'create' });
    return { ok: allMatch(reports), details: formatTopicReports(reports).split('\n') };
  }

  async judgeRetained(): Promise<StepOutcome> {
    const scan = await scanRetainedRecords(this.kafka, {
      topic: RATINGS_TOPIC.name,
      sample: this.options.retainedSample ?? RETAINED_SAMPLE,
      decode: decodeRating(),
    });
    return retainedOutcome(scan);
  }

  async produce(): Promise<StepOutcome> {
    const { admin, count, runId } = this;
    this.before = await endOffsets(admin, RATINGS_TOPIC.name);
    this.metricsStart = (await topicOffsets(admin, METRICS_TOPIC.name)).map(({ partition, latest }) => ({
      partition,
      offset: latest,
    }));
    const result = await runProduceFlow(this.kafka, this.sent, { runId, tagRecords: true, batchSize: count });
    this.after = await endOffsets(admin, RATINGS_TOPIC.name);
    const { summary } = result;
    const details = [
      `sent ${summary.sent} of ${count} (seed ${this.seed}, run-id ${runId}), refused ${summary.refusedCount}, failed ${summary.failed}`,
      `end offsets ${formatOffsets(this.before)} -> ${formatOffsets(this.after)}`,
    ];
    if (summary.error) details.push(summary.error);
    if (result.metrics && 'error' in result.metrics)
      details.push(`metrics not published: ${result.metrics.error}`);
    return { ok: summary.sent === count && summary.refusedCount === 0 && summary.failed === 0, details };
  }

  async consume(): Promise<StepOutcome> {
    const { count, runId, sent, ours, groupId } = this;
    const mismatches: string[] = [];
    let duplicates = 0;
    const stop = new AbortController();
    const result = await runConsumeFlow(this.kafka, {
      runId,
      topic: RATINGS_TOPIC.name,
      groupId,
      idleTimeoutMs: this.options.consumeTimeoutMs ?? 10_000,
      signal: stop.signal,
      // A fresh group starting where the topic ended before producing: old data on a reused cluster is never read.
      startOffsets: [...this.before].map(([partition, offset]) => ({ partition, offset: String(offset) })),
      onEvent: (event, record) => {
        // Other producers may write to `ratings` meanwhile: only this run's records count.
        if (record.headers['run-id'] !== runId) return;
        const seq = Number(record.headers.seq);
        if (ours.has(seq)) duplicates++;
        ours.set(seq, { partition: record.partition, offset: BigInt(record.offset) });
        if (JSON.stringify(event) !== JSON.stringify(sent[seq]))
          mismatches.push(`seq ${seq}: sent ${JSON.stringify(sent[seq])}, read ${JSON.stringify(event)}`);
        if (ours.size === count) stop.abort();
      },
    });
    const missing = sent.map((_, seq) => seq).filter((seq) => !ours.has(seq));
    const { summary } = result;
    const others = summary.total - ours.size - duplicates;
    const details = [
      `group ${groupId}: read ${ours.size} of this run's ${count} records valid and unchanged` +
        (others > 0 ? ` (and ${others} records of other producers, ${summary.invalid} invalid)` : ''),
      ...mismatches,
    ];
    if (missing.length > 0) details.push(`missing or invalid seq: ${missing.join(', ')}`);
    if (duplicates > 0) details.push(`${duplicates} duplicate(s)`);
    if (result.metrics && 'error' in result.metrics)
      details.push(`metrics not published: ${result.metrics.error}`);
    return { ok: missing.length === 0 && mismatches.length === 0 && duplicates === 0, details };
  }

  async checkCommitted(): Promise<StepOutcome> {
    const { before, after } = this;
    const committed = await committedOffsets(this.admin, this.groupId, RATINGS_TOPIC.name);
    const short: string[] = [];
    for (const partition of before.keys()) {
      // The offset after this run's last record in the partition; none: never read, nothing to commit.
      const needed = this.nextOffsetAfterOurs(partition);
      const got = committed.get(partition) ?? -1n;
      if (needed !== undefined && got < needed)
        short.push(`partition ${partition}: committed ${got}, expected at least ${needed}`);
    }
    const atEnd = [...after].every(([partition, end]) => {
      const got = committed.get(partition) ?? -1n;
      return got === end || (got === -1n && before.get(partition) === end);
    });
    return {
      ok: short.length === 0,
      details: [
        `committed ${formatOffsets(committed)}${atEnd ? ' = end offsets' : `, end offsets ${formatOffsets(after)}`}`,
        ...short,
      ],
    };
  }

  private nextOffsetAfterOurs(partition: number): bigint | undefined {
    let needed: bigint | undefined;
    for (const record of this.ours.values()) {
      if (record.partition === partition && (needed === undefined || record.offset + 1n > needed))
        needed = record.offset + 1n;
    }
    return needed;
  }

  async readMetrics(): Promise<StepOutcome> {
    const wanted = ['producer.throughput', 'consumer.throughput'];
    const read = await readRunMetrics(this.kafka, this.runId, {
      fromOffsets: this.metricsStart,
      until: (events) => wanted.every((name) => events.some((event) => event.name === name)),
      timeoutMs: this.options.metricsTimeoutMs ?? 15_000,
    });
    const missing = wanted.filter((name) => !read.events.some((event) => event.name === name));
    const details = read.events.map(
      (event) => `${event.source}: ${event.name} = ${event.value} ${event.unit}`,
    );
    if (missing.length > 0) details.push(`not received: ${missing.join(', ')}`);
    if (read.invalid > 0)
      details.push(`${read.invalid} invalid record(s) on ${METRICS_TOPIC.name} from others`);
    return { ok: missing.length === 0, details };
  }
}

/** How many retained ratings verify judges by default: a bounded read (well under a second), spread evenly. */
export const RETAINED_SAMPLE = 10_000;

/** The retained-records step's verdict: it passes only when the working contract refuses none of them. */
export function retainedOutcome(scan: RetainedScan): StepOutcome {
  if (scan.scanned === 0) return { ok: true, details: [`${scan.topic}: holds no records yet`] };
  const details = formatRetainedScan(scan).split('\n');
  if (scan.refused > 0)
    details.push(
      'the working contract refuses records the topic holds: `ratings-kafka contracts check --against-topic` counts them all',
    );
  return { ok: scan.refused === 0, details };
}

async function timed(name: string, body: () => Promise<StepOutcome>): Promise<VerifyStep> {
  const started = performance.now();
  let outcome: StepOutcome;
  try {
    outcome = await body();
  } catch (error) {
    outcome = {
      ok: false,
      details: [error instanceof Error ? `${error.name}: ${error.message}` : String(error)],
    };
  }
  return {
    name,
    status: outcome.ok ? 'PASS' : 'FAIL',
    ms: Math.round(performance.now() - started),
    details: outcome.details,
  };
}

function skipped(name: string): VerifyStep {
  return { name, status: 'SKIP', ms: 0, details: ['skipped: an earlier step failed'] };
}

function formatOffsets(offsets: Map<number, bigint>): string {
  return [...offsets]
    .sort(([a], [b]) => a - b)
    .map(([partition, offset]) => `p${partition}=${offset}`)
    .join(' ');
}

/** Exposed for the verify command's help: the steps in order. */
export const VERIFY_STEPS: readonly string[] = STEP_NAMES;
