// Protects consumer-group delivery under consumer faults, on the run's broker with a topic and group of
// their own: a consumer SIGKILLed mid-run resumes from its committed offsets (re-reads counted, nothing
// lost) and a second consumer joining mid-stream shares the partitions while records keep arriving.
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { RATINGS_TOPIC } from '../../contracts/topics.ts';
import { uniqueGroupId } from '../../helpers/consumer/ratings-consumer.ts';
import { createRatingsProducer } from '../../helpers/producer/ratings-producer.ts';
import { pollUntil } from '../../helpers/wait/poll-until.ts';
import { connectedAdmin, isolatedTopic, readOnly, runKafka, writes } from '../support/broker.ts';
import { committedOffsets, deliveryReport, groupLag } from '../support/delivery.ts';
import { assignments, BATCH, ratings, SPEC_SESSION_MS, seqRange } from '../support/faults.ts';
import { type SeenRecord, spawnConsumer } from '../support/spawn-consumer.ts';

const provider = inject('kafkaProvider');
const brokers = inject('kafkaBrokers');

describe.skipIf(readOnly())(writes('consumer group delivery under consumer faults'), () => {
  it('resumes a consumer SIGKILLed mid-run from its committed offsets: nothing lost, re-reads counted', async () => {
    const kafka = runKafka();
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    const admin = await connectedAdmin(kafka);
    const groupId = uniqueGroupId('faults-killed');
    const runId = randomUUID();
    const before = 1_500;
    const after = 1_500;
    await using producer = await createRatingsProducer(kafka, { topic: topic.name, batchSize: BATCH, runId });
    expect(await producer.sendAll(ratings(0, before))).toMatchObject({ sent: before, error: undefined });

    const first = spawnConsumer(brokers, topic.name, groupId, SPEC_SESSION_MS);
    await first.joined;
    await expect
      .poll(() => first.seen.length, { timeout: 30_000, interval: 10 })
      .toBeGreaterThanOrEqual(before / 2);
    await first.kill('SIGKILL');
    // Commits run beside the fetch loop: one the killed member sent just before it died can still land.
    // Once its session has expired the group is empty and no commit of that member is accepted any more:
    // what is committed then is where the group resumes.
    await pollUntil(
      () => admin.describeGroups([groupId]),
      ({ groups }) => groups[0]?.state === 'Empty',
      {
        what: `group ${groupId} to be empty after its only member was killed`,
        timeoutMs: 30_000,
        intervalMs: 100,
      },
    );
    const committed = await committedOffsets(admin, groupId, topic.name);
    expect(await producer.sendAll(ratings(before, before + after), { firstSeq: before })).toMatchObject({
      sent: after,
      error: undefined,
    });

    const second = spawnConsumer(brokers, topic.name, groupId, SPEC_SESSION_MS);
    await second.joined;
    // The killed member still holds the group until its session expires.
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
    const kafka = runKafka();
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

    const a = spawnConsumer(brokers, topic.name, groupId, SPEC_SESSION_MS);
    await a.joined;
    expect(await producer.sendAll(ratings(0, alone))).toMatchObject({ sent: alone, error: undefined });
    await expect.poll(() => a.seen.length, { timeout: 20_000, interval: 10 }).toBeGreaterThanOrEqual(alone);

    // The second member joins while the stream goes on: each round trip is one small send and one
    // look at the group, until both members hold partitions.
    const b = spawnConsumer(brokers, topic.name, groupId, SPEC_SESSION_MS);
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
});
