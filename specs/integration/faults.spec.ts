// Protects delivery under faults, on a broker of this file's own (the run's shared broker is never
// bounced): the idempotent producer across clean and crash restarts, a broker down past the retry
// budget, a consumer killed mid-run, and a second consumer joining its group mid-stream. Every
// acknowledged event must be consumed; repeats are only allowed where a caller re-sent or a consumer
// died before committing, and are counted and printed.
import { randomUUID } from 'node:crypto';
import { type Admin, AssignerProtocol, type Kafka } from 'kafkajs';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { MOVIE_ID_MAX, type RatingEvent, USER_ID_MAX } from '../../contracts/rating.ts';
import { RATINGS_TOPIC, topicsForProfile } from '../../contracts/topics.ts';
import { ensureTopics } from '../../helpers/admin/ensure-topics.ts';
import type { ProduceReport } from '../../helpers/cli/produce-command.ts';
import { kafkaClient } from '../../helpers/clients/kafka-client.ts';
import { consumeRatings, uniqueGroupId } from '../../helpers/consumer/ratings-consumer.ts';
import {
  notRestartable,
  type RestartTiming,
  startRestartableBroker,
  type TimedBroker,
} from '../../helpers/kafka/restartable.ts';
import type { RestartableBroker } from '../../helpers/kafka/types.ts';
import { createRatingsProducer, type ProduceSummary } from '../../helpers/producer/ratings-producer.ts';
import { connectedAdmin, isolatedTopic } from '../support/broker.ts';
import { jsonOf, runCli } from '../support/cli.ts';
import { committedOffsets, deliveryReport, groupLag, recordsInTopic } from '../support/delivery.ts';
import { readTopic } from '../support/read-topic.ts';
import { type SeenRecord, spawnConsumer } from '../support/spawn-consumer.ts';

const provider = inject('kafkaProvider');
const cannotBounce = notRestartable(provider);
if (cannotBounce !== undefined) console.info(`[skip] fault specs: ${cannotBounce}`);

/** Records per send(): small, so a restart always finds sends still to make. */
const BATCH = 100;

/** One planned bounce: when (acknowledged events so far), how, and whether to keep the broker down until a send fails. */
interface Fault {
  afterAcked: number;
  signal: 'SIGTERM' | 'SIGKILL';
  holdUntilSendFails: boolean;
}

const PRODUCE_EVENTS = 6_000;
const FAULTS: readonly Fault[] = [
  { afterAcked: 1_000, signal: 'SIGTERM', holdUntilSendFails: false },
  { afterAcked: 2_200, signal: 'SIGKILL', holdUntilSendFails: false },
  { afterAcked: 3_400, signal: 'SIGTERM', holdUntilSendFails: false },
  { afterAcked: 4_600, signal: 'SIGKILL', holdUntilSendFails: true },
];

/**
 * Every field pinned: under vitest (NODE_ENV=test) kafkajs fills unset retry fields from its own test
 * defaults (multiplier 1.5, maxRetryTime 1 s), which would make these budgets shorter than they read.
 */
const BACKOFF = { factor: 0.2, multiplier: 2 };
/**
 * A refused connection is retried by the client's cluster layer, not by the producer's own `retry`
 * (its exhaustion is final for the producer). 9 s of backoff here, which kafkajs runs once or twice
 * per send (9-18 s measured): longer than a restart (2-8 s), so a plain bounce is ridden out by the
 * idempotent producer; the held outage always exhausts it.
 */
const RIDE_OUT_RETRY = { ...BACKOFF, retries: 7, initialRetryTime: 200, maxRetryTime: 2_000 };
/** About 0.3 s of connection retries: the budget test (b) outlasts on purpose. */
const SHORT_RETRY = { ...BACKOFF, retries: 2, initialRetryTime: 100, maxRetryTime: 500 };
/** How long a send may take to report a broker that stays down, with {@link SHORT_RETRY}. */
const FAILURE_REPORTED_WITHIN_MS = 10_000;
/**
 * How long a consumer may take to catch up by itself once the broker is back. It crashes during the
 * outage and kafkajs restarts it as a new member, which waits out the old member's 10 s session.
 */
const RECOVERED_WITHIN_MS = 30_000;

/** Event `seq` of a run: valid, deterministic, spread over users so every partition gets some. */
function ratingAt(seq: number): RatingEvent {
  return {
    userId: 1 + ((seq * 7_919) % USER_ID_MAX),
    movieId: 1 + ((seq * 104_729) % MOVIE_ID_MAX),
    rating: 0.5 * (1 + (seq % 10)),
    timestamp: 1_000_000_000_000 + seq,
  };
}

/** Events `from` (inclusive) to `to` (exclusive). */
function* ratings(from: number, to: number): Generator<RatingEvent> {
  for (let seq = from; seq < to; seq++) yield ratingAt(seq);
}

/** The integers `from` (inclusive) to `to` (exclusive), as a set of seqs. */
const seqRange = (from: number, to: number): Set<number> =>
  new Set(Array.from({ length: to - from }, (_, i) => from + i));

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

const describeRestart = ({ signal, stopMs, outageMs, startMs }: RestartTiming): string =>
  `${signal}: stop ${seconds(stopMs)}, held down ${seconds(outageMs)}, back in ${seconds(startMs)}`;

/**
 * Bounces the broker when the acknowledged count crosses each fault's threshold. The event source
 * calls gate() before every event: it starts a due bounce and holds the source until the broker is
 * down, so the sends that follow are in flight while it is away; bounces never overlap.
 */
function faultPlan(
  broker: RestartableBroker,
  faults: readonly Fault[],
  acked: () => number,
  nextSendFailure: () => Promise<void>,
) {
  let next = 0;
  let current: { down: Promise<void>; done: Promise<void> } | undefined;
  const due = (): boolean => next < faults.length && acked() >= faults[next]!.afterAcked;
  const begin = (fault: Fault): NonNullable<typeof current> => {
    let markDown: () => void = () => {};
    const isDown = new Promise<void>((resolve) => {
      markDown = resolve;
    });
    const done = broker.restart(fault.signal, async () => {
      // Asked for before the source is released, so it is a failure of a send made while down.
      const failure = fault.holdUntilSendFails ? nextSendFailure() : undefined;
      markDown();
      await failure;
    });
    // A restart that fails before the broker is down must fail the gate, not hang it.
    const entry = { down: Promise.race([isDown, done]), done };
    entry.down.catch(() => {});
    done.then(
      () => {
        if (current === entry) current = undefined;
      },
      () => {},
    );
    return entry;
  };
  return {
    async gate(): Promise<void> {
      for (;;) {
        if (current === undefined) {
          if (!due()) return;
          current = begin(faults[next++]!);
        }
        await current.down;
        if (!due()) return;
        await current.done;
        current = undefined;
      }
    },
    /** Resolves when every fault has been played and the broker is back. */
    async finished(): Promise<number> {
      await current?.done;
      return next;
    },
  };
}

/** The partitions of `topic` each member of a Stable group holds; empty while it rebalances. */
async function assignments(admin: Admin, groupId: string, topic: string): Promise<number[][]> {
  const {
    groups: [group],
  } = await admin.describeGroups([groupId]);
  if (group?.state !== 'Stable') return [];
  return group.members.map(
    (member) => AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment[topic] ?? [],
  );
}

describe('delivery under broker and consumer faults', () => {
  let broker: TimedBroker | undefined;
  let kafka: Kafka;

  beforeAll(async () => {
    if (cannotBounce !== undefined) return;
    broker = await startRestartableBroker(provider, { image: inject('kafkaDescription') });
    kafka = kafkaClient(broker.brokers, { clientId: `faults-${randomUUID().slice(0, 8)}` });
    console.log(
      `[faults] own broker: ${broker.description} at ${broker.brokers.join(',')}, ready in ${seconds(broker.startupMs)}`,
    );
  });

  afterAll(async () => {
    await broker?.stop();
  });

  beforeEach((context) => {
    if (cannotBounce !== undefined) context.skip(cannotBounce);
  });

  it(`acknowledges ${PRODUCE_EVENTS} events across ${FAULTS.length} broker restarts mid-produce and delivers each once`, async () => {
    const own = broker!;
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    const admin = await connectedAdmin(kafka);
    const runId = randomUUID();
    const riding = kafkaClient(own.brokers, {
      clientId: `faults-produce-${runId.slice(0, 8)}`,
      retry: RIDE_OUT_RETRY,
    });
    let attemptFrom = 0;
    let ackedSoFar = 0;
    await using producer = await createRatingsProducer(riding, {
      topic: topic.name,
      batchSize: BATCH,
      runId,
      onProgress: ({ sent }) => {
        ackedSoFar = attemptFrom + sent;
      },
    });
    const failureWaiters: (() => void)[] = [];
    const nextSendFailure = () => new Promise<void>((resolve) => failureWaiters.push(resolve));
    const restartsBefore = own.restarts.length;
    const plan = faultPlan(own, FAULTS, () => ackedSoFar, nextSendFailure);
    async function* gated(from: number): AsyncGenerator<RatingEvent> {
      for (let seq = from; seq < PRODUCE_EVENTS; seq++) {
        await plan.gate();
        yield ratingAt(seq);
      }
    }

    const acked = new Set<number>();
    const resent = new Set<number>();
    const failures: (ProduceSummary & { seqs: string; restartsDone: number })[] = [];
    const started = performance.now();
    // The caller's loop: a send that fails is reported, never counted, and its events go out again.
    for (let call = 1; attemptFrom < PRODUCE_EVENTS; call++) {
      expect(
        call,
        `sendAll calls (failures so far: ${failures.map((f) => f.error).join('; ')})`,
      ).toBeLessThanOrEqual(10);
      const from = attemptFrom;
      const summary = await producer.sendAll(gated(from), { firstSeq: from });
      for (let seq = from; seq < from + summary.sent; seq++) acked.add(seq);
      if (summary.error === undefined) {
        expect(summary).toMatchObject({ sent: PRODUCE_EVENTS - from, failed: 0 });
      } else {
        expect(summary.error).toMatch(/failed after retries/);
        expect(summary.failed).toBeGreaterThan(0);
        failures.push({
          ...summary,
          seqs: `${from + summary.sent}-${from + summary.sent + summary.failed - 1}`,
          restartsDone: own.restarts.length - restartsBefore,
        });
        for (let seq = from + summary.sent; seq < from + summary.sent + summary.failed; seq++)
          resent.add(seq);
        for (const resolve of failureWaiters.splice(0)) resolve();
      }
      attemptFrom = from + summary.sent;
    }
    const played = await plan.finished();
    const produceMs = performance.now() - started;

    const inTopic = await recordsInTopic(admin, topic.name);
    const records = await readTopic(kafka, topic.name, inTopic);
    const ours = records.filter((record) => record.headers['run-id'] === runId);
    const report = deliveryReport(
      acked,
      ours.map((record) => Number(record.headers.seq)),
      seqRange(0, PRODUCE_EVENTS),
    );
    const duplicatedOnceSent = report.duplicatedSeqs.filter((seq) => !resent.has(seq));
    const restarts = own.restarts.slice(restartsBefore);
    console.log(
      `[faults] produce through ${restarts.length} restarts (${provider}): produced ${PRODUCE_EVENTS}, ` +
        `sent ${PRODUCE_EVENTS + resent.size} (${resent.size} re-sent after ${failures.length} failed send(s)), ` +
        `acked ${acked.size}, in topic ${inTopic}, consumed ${report.consumed} (distinct ${report.distinct}), ` +
        `lost ${report.lost.length}, duplicated ${report.duplicates} ` +
        `(${report.duplicates - duplicatedOnceSent.length} of them re-sent), produce time ${seconds(produceMs)}\n` +
        `[faults]   failed sends: ${failures.map((failure) => `seqs ${failure.seqs} after ${failure.restartsDone} restart(s) done: ${failure.error}`).join(' | ') || 'none'}\n` +
        `[faults]   ${restarts.map(describeRestart).join('\n[faults]   ')}`,
    );

    expect(played).toBe(FAULTS.length);
    expect(restarts.map((restart) => restart.signal)).toEqual(FAULTS.map((fault) => fault.signal));
    // The held outage is longer than the connection budget: at least that send fails, visibly.
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(acked.size).toBe(PRODUCE_EVENTS);
    expect(records).toHaveLength(inTopic);
    expect(ours).toHaveLength(records.length);
    expect(report.unexpected, 'seqs the producer never sent').toEqual([]);
    expect(report.lost, 'acknowledged but never consumed').toEqual([]);
    expect(duplicatedOnceSent, 'sent once, delivered more than once').toEqual([]);
  }, 150_000);

  it('reports a send failure within bounded time when the broker stays down; the consumer then catches up by itself', async () => {
    const own = broker!;
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    const admin = await connectedAdmin(kafka);
    const groupId = uniqueGroupId('faults-outage');
    const runId = randomUUID();
    const before = 600;
    const during = 900;
    const seen: number[] = [];
    let markJoined: () => void = () => {};
    const joined = new Promise<void>((resolve) => {
      markJoined = resolve;
    });
    // Started before the outage, with an idle timeout far beyond it: it must ride it out on its own.
    const consuming = consumeRatings(kafka, {
      topic: topic.name,
      groupId,
      fromBeginning: true,
      maxMessages: before + during,
      idleTimeoutMs: 90_000,
      onJoined: () => markJoined(),
      onEvent: (_event, record) => seen.push(Number(record.headers.seq)),
    });
    consuming.catch(() => {});
    await Promise.race([
      joined,
      consuming.then(() => {
        throw new Error('the consumer ended before joining its group');
      }),
    ]);

    const shortBudget = kafkaClient(own.brokers, {
      clientId: `faults-outage-${runId.slice(0, 8)}`,
      retry: SHORT_RETRY,
    });
    await using producer = await createRatingsProducer(shortBudget, {
      topic: topic.name,
      batchSize: BATCH,
      runId,
      retry: SHORT_RETRY,
    });
    expect(await producer.sendAll(ratings(0, before))).toMatchObject({
      sent: before,
      failed: 0,
      error: undefined,
    });
    await expect.poll(() => groupLag(admin, groupId, topic.name), { timeout: 20_000, interval: 100 }).toBe(0);

    let failed: ProduceSummary | undefined;
    let failedAfterMs = 0;
    // The broker stays down until the producer has given up: by construction longer than its budget.
    await own.restart('SIGTERM', async () => {
      const started = performance.now();
      failed = await producer.sendAll(ratings(before, before + during), { firstSeq: before });
      failedAfterMs = performance.now() - started;
    });
    const backAt = performance.now();
    expect(failed).toMatchObject({ sent: 0, failed: BATCH });
    expect(failed?.error).toMatch(/failed after retries/);
    expect(failedAfterMs).toBeLessThan(FAILURE_REPORTED_WITHIN_MS);

    // The caller's retry, once the broker is back; nothing of the failed send reached the log.
    expect(await producer.sendAll(ratings(before, before + during), { firstSeq: before })).toMatchObject({
      sent: during,
      failed: 0,
      error: undefined,
    });
    await expect
      .poll(() => groupLag(admin, groupId, topic.name), { timeout: RECOVERED_WITHIN_MS, interval: 100 })
      .toBe(0);
    const caughtUpMs = performance.now() - backAt;
    const summary = await consuming;
    const report = deliveryReport(seqRange(0, before + during), seen);
    const restart = own.restarts.at(-1)!;
    console.log(
      `[faults] outage (${provider}): send failed after ${seconds(failedAfterMs)} with ${failed?.failed} unsent ` +
        `("${failed?.error}"); ${describeRestart(restart)}; ` +
        `consumer lag back to 0 ${seconds(caughtUpMs)} after the broker was back; consumed ${report.consumed}, ` +
        `lost ${report.lost.length}, duplicated ${report.duplicates}`,
    );
    expect(summary).toMatchObject({ total: before + during, invalid: 0, error: undefined });
    expect(report.lost).toEqual([]);
    expect(report.duplicates).toBe(0);
  }, 90_000);

  it('resumes a consumer SIGKILLed mid-run from its committed offsets: nothing lost, re-reads counted', async () => {
    const own = broker!;
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    const admin = await connectedAdmin(kafka);
    const groupId = uniqueGroupId('faults-killed');
    const runId = randomUUID();
    const before = 1_500;
    const after = 1_500;
    await using producer = await createRatingsProducer(kafka, { topic: topic.name, batchSize: BATCH, runId });
    expect(await producer.sendAll(ratings(0, before))).toMatchObject({ sent: before, error: undefined });

    const first = spawnConsumer(own.brokers, topic.name, groupId);
    await first.joined;
    await expect
      .poll(() => first.seen.length, { timeout: 30_000, interval: 10 })
      .toBeGreaterThanOrEqual(before / 2);
    await first.kill('SIGKILL');
    const committed = await committedOffsets(admin, groupId, topic.name);
    expect(await producer.sendAll(ratings(before, before + after), { firstSeq: before })).toMatchObject({
      sent: after,
      error: undefined,
    });

    const second = spawnConsumer(own.brokers, topic.name, groupId);
    await second.joined;
    // The killed member still holds the group until its session (10 s) expires.
    await expect.poll(() => groupLag(admin, groupId, topic.name), { timeout: 45_000, interval: 100 }).toBe(0);
    await second.kill('SIGTERM');

    const startOf = (records: readonly SeenRecord[], partition: number): number | undefined => {
      const offsets = records
        .filter((record) => record.partition === partition)
        .map((record) => record.offset);
      return offsets.length > 0 ? Math.min(...offsets) : undefined;
    };
    // What the killed consumer had processed but not committed is exactly what must be read again.
    const notCommitted = first.seen.filter(
      (record) => record.offset >= Math.max(committed.get(record.partition) ?? -1, 0),
    );
    const report = deliveryReport(
      seqRange(0, before + after),
      [...first.seen, ...second.seen].map((record) => record.seq),
    );
    console.log(
      `[faults] consumer SIGKILL (${provider}): first saw ${first.seen.length} of ${before} and committed ` +
        `${[...committed].map(([partition, offset]) => `p${partition}@${offset}`).join(' ')}; second saw ` +
        `${second.seen.length}; consumed ${report.consumed}, distinct ${report.distinct}, lost ${report.lost.length}, ` +
        `duplicated ${report.duplicates} (processed but not committed before the kill: ${notCommitted.length})`,
    );
    for (const partition of [0, 1, 2]) {
      const resumedAt = startOf(second.seen, partition);
      if (resumedAt !== undefined)
        expect(resumedAt, `partition ${partition}`).toBe(Math.max(committed.get(partition) ?? -1, 0));
    }
    expect(report.lost, 'never consumed').toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.duplicates, 'repeats beyond the uncommitted tail').toBe(notCommitted.length);
  }, 90_000);

  it('shares the partitions with a second consumer that joins mid-stream; every message consumed', async () => {
    const own = broker!;
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    const admin = await connectedAdmin(kafka);
    const groupId = uniqueGroupId('faults-joining');
    const runId = randomUUID();
    const alone = 1_000;
    const afterwards = 1_000;
    /** Small sends while the group rebalances, so records keep arriving throughout; capped. */
    const joiningChunk = 10;
    const joiningCap = 2_000;
    const shared = (held: number[][]): boolean =>
      held.length === 2 && held.every((partitions) => partitions.length > 0);
    await using producer = await createRatingsProducer(kafka, { topic: topic.name, batchSize: BATCH, runId });

    const a = spawnConsumer(own.brokers, topic.name, groupId);
    await a.joined;
    expect(await producer.sendAll(ratings(0, alone))).toMatchObject({ sent: alone, error: undefined });
    await expect.poll(() => a.seen.length, { timeout: 20_000, interval: 10 }).toBeGreaterThanOrEqual(alone);

    // The second member joins while the stream goes on: each round trip is one small send and one
    // look at the group, until both members hold partitions.
    const b = spawnConsumer(own.brokers, topic.name, groupId);
    let next = alone;
    while (next < alone + joiningCap && !shared(await assignments(admin, groupId, topic.name))) {
      expect(await producer.sendAll(ratings(next, next + joiningChunk), { firstSeq: next })).toMatchObject({
        sent: joiningChunk,
        error: undefined,
      });
      next += joiningChunk;
    }
    const duringJoin = next - alone;
    await b.joined;
    await expect
      .poll(() => assignments(admin, groupId, topic.name), { timeout: 30_000, interval: 100 })
      .toSatisfy(shared);
    const held = await assignments(admin, groupId, topic.name);
    const lastFrom = next;
    expect(
      await producer.sendAll(ratings(lastFrom, lastFrom + afterwards), { firstSeq: lastFrom }),
    ).toMatchObject({
      sent: afterwards,
      error: undefined,
    });
    const total = lastFrom + afterwards;
    await expect.poll(() => groupLag(admin, groupId, topic.name), { timeout: 30_000, interval: 100 }).toBe(0);
    await Promise.all([a.kill('SIGTERM'), b.kill('SIGTERM')]);

    const report = deliveryReport(
      seqRange(0, total),
      [...a.seen, ...b.seen].map((record) => record.seq),
    );
    const inRange = (records: readonly SeenRecord[], from: number, to: number) =>
      records.filter((record) => record.seq >= from && record.seq < to).length;
    console.log(
      `[faults] second consumer joining (${provider}): ${alone} before, ${duringJoin} while it joined, ` +
        `${afterwards} after; assignments ${held.map((p) => `[${p.join(',')}]`).join(' ')}; first saw ` +
        `${a.seen.length} (${inRange(a.seen, alone, lastFrom)} during the join, ${inRange(a.seen, lastFrom, total)} after), ` +
        `second saw ${b.seen.length} (${inRange(b.seen, alone, lastFrom)} during, ${inRange(b.seen, lastFrom, total)} after); ` +
        `consumed ${report.consumed}, lost ${report.lost.length}, duplicated ${report.duplicates}`,
    );
    expect(held.flat().sort()).toEqual([0, 1, 2]);
    expect(inRange(a.seen, lastFrom, total)).toBeGreaterThan(0);
    expect(inRange(b.seen, lastFrom, total)).toBeGreaterThan(0);
    expect(report.lost, 'never consumed').toEqual([]);
    expect(report.unexpected).toEqual([]);
  }, 90_000);
  it('lets the produce CLI ride out a broker SIGKILL: every event sent once, exit 0', async () => {
    const own = broker!;
    const admin = await connectedAdmin(kafka);
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    // The CLI publishes its run metrics to `metrics`: this broker needs the contract topics too.
    await ensureTopics(admin, topicsForProfile());
    const count = 12_000;
    const run = runCli(
      ['produce', '--count', String(count), '--seed', '5', '--rate', '3000', '--topic', topic.name, '--json'],
      { env: { ...process.env, KAFKA_BROKERS: own.brokers.join(',') }, timeoutMs: 80_000 },
    );
    // Crash the broker once the CLI is well into its run, then let it come back on its own.
    await expect
      .poll(() => recordsInTopic(admin, topic.name), { timeout: 20_000, interval: 50 })
      .toBeGreaterThan(1_500);
    await own.restart('SIGKILL');
    const restart = own.restarts.at(-1)!;
    const result = await run;
    const report = jsonOf<ProduceReport>(result);
    console.log(
      `[faults] produce CLI through a SIGKILL (${provider}): exit ${result.code}, sent ${report.sent}, ` +
        `failed ${report.failed}; ${describeRestart(restart)}; records in topic ${await recordsInTopic(admin, topic.name)}`,
    );
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(report).toMatchObject({ sent: count, failed: 0 });
    // The idempotent producer's retries after the crash wrote nothing twice.
    expect(await recordsInTopic(admin, topic.name)).toBe(count);
  }, 90_000);
});
