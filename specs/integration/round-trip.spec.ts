// Protects the round trip: what our producer sends, our consumer reads back unchanged, keyed by
// userId and in order within each partition, from the LZ4 `ratings` topic.
import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import type { RatingEvent } from '../../contracts/rating.ts';
import { RATINGS_TOPIC } from '../../contracts/topics.ts';
import {
  type ConsumedRecord,
  consumeRatings,
  uniqueGroupId,
} from '../../helpers/consumer/ratings-consumer.ts';
import { createRatingsProducer } from '../../helpers/producer/ratings-producer.ts';
import { validRating } from '../support/arbitraries.ts';
import { isolatedTopic, runKafka } from '../support/broker.ts';
import { kcatMissing, kcatReadAll, withKcat } from '../support/kcat.ts';
import { writtenAs } from '../support/written-as.ts';

/** Against a broker each run costs a topic and a group: keep runs few and batches meaningful. */
const RUNS = 5;

describe('ratings round trip', () => {
  it(`returns every produced event unchanged, keyed by userId, in per-partition order (${RUNS} runs)`, async () => {
    const kafka = runKafka();
    await fc.assert(
      fc.asyncProperty(fc.array(validRating(), { minLength: 1, maxLength: 300 }), async (events) => {
        const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
        await using producer = await createRatingsProducer(kafka, { topic: topic.name, batchSize: 50 });
        const sent = await producer.sendAll(events);
        expect(sent).toMatchObject({ sent: events.length, refusedCount: 0, error: undefined });

        const received: { event: RatingEvent; record: ConsumedRecord }[] = [];
        const summary = await consumeRatings(kafka, {
          topic: topic.name,
          groupId: uniqueGroupId(),
          fromBeginning: true,
          maxMessages: events.length,
          idleTimeoutMs: 20_000,
          onEvent: (event, record) => received.push({ event, record }),
        });
        expect(summary).toMatchObject({ total: events.length, valid: events.length, invalid: 0 });
        for (const { event, record } of received) expect(record.key).toBe(String(event.userId));
        // Order holds within a partition: compare each partition's sequence with the sent order.
        for (const partition of [0, 1, 2]) {
          const inPartition = received
            .filter(({ record }) => record.partition === partition)
            .map(({ event }) => event);
          const keys = new Set(inPartition.map((event) => event.userId));
          expect(inPartition).toEqual(events.filter((event) => keys.has(event.userId)));
        }
        expect(received.map(({ event }) => event).sort(byIdentity)).toEqual([...events].sort(byIdentity));
      }),
      { numRuns: RUNS },
    );
  });

  it.skipIf(kcatMissing)(withKcat('is readable by kcat from the LZ4 topic, byte for byte'), async () => {
    const kafka = runKafka();
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    const events = fc.sample(validRating(), { numRuns: 200, seed: 7 });
    await using producer = await createRatingsProducer(kafka, { topic: topic.name });
    await producer.sendAll(events);
    const lines = await kcatReadAll(inject('kafkaBrokers'), topic.name, '%k %s');
    expect(lines.sort()).toEqual(events.map((event) => `${event.userId} ${writtenAs(event)}`).sort());
  });
});

function byIdentity(a: RatingEvent, b: RatingEvent): number {
  return JSON.stringify(a) < JSON.stringify(b) ? -1 : 1;
}
