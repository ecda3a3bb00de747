// Reads every record of a topic from the beginning: what a consumer can observe, nothing assumed.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { expect } from 'vitest';
import { type ConsumedRecord, toConsumedRecord } from '../../helpers/consumer/ratings-consumer.ts';

/** Consumes `topic` from the beginning in a throwaway group until `expected` records arrived. */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  expected: number,
  timeoutMs = 30_000,
): Promise<ConsumedRecord[]> {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) records.push(toConsumedRecord(batch.partition, message));
      },
    });
    await expect
      .poll(() => records.length, { timeout: timeoutMs, interval: 50 })
      .toBeGreaterThanOrEqual(expected);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Delivery assertion: no record seen twice (by the given identity). */
export function expectNoDuplicates<T>(items: T[], identity: (item: T) => string): void {
  const seen = new Map<string, number>();
  for (const item of items) seen.set(identity(item), (seen.get(identity(item)) ?? 0) + 1);
  const duplicates = [...seen].filter(([, count]) => count > 1).map(([id]) => id);
  expect(duplicates, 'records delivered more than once').toEqual([]);
}
