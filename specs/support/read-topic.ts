// Reads every record of a topic from the beginning: what a consumer can observe, nothing assumed.
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { expect } from 'vitest';
import { type ConsumedRecord, toConsumedRecord } from '../../helpers/consumer/ratings-consumer.ts';
import { pollUntil } from '../../helpers/wait/poll-until.ts';

/** What a reader consumed so far: every record, and the next offset to read per partition. */
interface Reading {
  records: ConsumedRecord[];
  next: Map<number, bigint>;
}

/** Consumes `topic` from the beginning in a throwaway group until `done` resolves, then leaves. */
async function readUntil(kafka: Kafka, topic: string, done: (reading: Reading) => Promise<unknown>) {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const reading: Reading = { records: [], next: new Map() };
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          reading.records.push(toConsumedRecord(batch.partition, message));
          reading.next.set(batch.partition, BigInt(message.offset) + 1n);
        }
      },
    });
    await done(reading);
  } finally {
    await consumer.disconnect();
  }
  return reading.records;
}

/** Consumes `topic` from the beginning in a throwaway group until `expected` records arrived. */
export function readTopic(
  kafka: Kafka,
  topic: string,
  expected: number,
  timeoutMs = 30_000,
): Promise<ConsumedRecord[]> {
  return readUntil(kafka, topic, ({ records }) =>
    expect.poll(() => records.length, { timeout: timeoutMs, interval: 50 }).toBeGreaterThanOrEqual(expected),
  );
}

/**
 * Consumes `topic` from the beginning until at least `atLeast` records arrived and every partition is
 * read up to the end offset the cluster reports after that: nothing a reader can see is left unread. A
 * count alone can be met early, by records nobody counted on (a send refused to its caller that was
 * appended all the same) while others are still unread.
 */
export function readTopicToEnd(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  atLeast: number,
  timeoutMs = 30_000,
): Promise<ConsumedRecord[]> {
  return readUntil(kafka, topic, ({ records, next }) =>
    pollUntil(
      async () => {
        const ends = await admin.fetchTopicOffsets(topic);
        const behind = ends
          .filter(({ partition, high }) => (next.get(partition) ?? 0n) < BigInt(high))
          .map(({ partition, high }) => `p${partition} at ${next.get(partition) ?? 0n} of ${high}`);
        return { read: records.length, behind };
      },
      ({ read, behind }) => read >= atLeast && behind.length === 0,
      { what: `${topic} read to its end offsets (at least ${atLeast} records)`, timeoutMs, intervalMs: 50 },
    ),
  );
}

/** Delivery assertion: no record seen twice (by the given identity). */
export function expectNoDuplicates<T>(items: T[], identity: (item: T) => string): void {
  const seen = new Map<string, number>();
  for (const item of items) seen.set(identity(item), (seen.get(identity(item)) ?? 0) + 1);
  const duplicates = [...seen].filter(([, count]) => count > 1).map(([id]) => id);
  expect(duplicates, 'records delivered more than once').toEqual([]);
}
