// Protects the ratings producer against a kafkajs 2.2.4 retry bug (producer/sendMessages.js): when a
// partition's leader moves mid-send to a broker that already answered for other partitions, the retry
// never sends that partition, and producer.send resolves as if it had. Reproduced here by a stand-in
// for kafkajs' producer that answers the way the bug does; on a real cluster the three-broker spec
// caught it as acknowledged records missing from the topic.
import type { Kafka, Message, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createRatingsProducer } from '../../helpers/producer/ratings-producer.ts';
import { randomRatings } from '../../helpers/sources/random-ratings.ts';

type Partitioner = (args: { topic: string; partitionMetadata: unknown[]; message: Message }) => number;

/** A kafkajs stand-in whose first `drops` sends leave out the records of one partition from the answer. */
function clientDropping(drops: number) {
  const sends: { partition: number; key: string }[][] = [];
  const kafka = {
    producer: ({ createPartitioner }: { createPartitioner: () => Partitioner }) => {
      const partitioner = createPartitioner();
      return {
        connect: async () => {},
        disconnect: async () => {},
        send: async ({ topic, messages }: { topic: string; messages: Message[] }) => {
          const placed = messages.map((message) => ({
            partition: partitioner({ topic, partitionMetadata: [{}, {}, {}], message }),
            key: String(message.key),
          }));
          sends.push(placed);
          const partitions = [...new Set(placed.map(({ partition }) => partition))].sort();
          const answered = sends.length <= drops ? partitions.slice(1) : partitions;
          return answered.map(
            (partition): RecordMetadata => ({ topicName: topic, partition, errorCode: 0, baseOffset: '0' }),
          );
        },
      };
    },
  } as unknown as Kafka;
  return { kafka, sends };
}

describe('a send answered without some of its partitions', () => {
  it('sends the records of the missing partitions again, and counts every record once', async () => {
    const { kafka, sends } = clientDropping(1);
    await using producer = await createRatingsProducer(kafka, { topic: 'ratings', batchSize: 300 });
    const summary = await producer.sendAll(randomRatings(7, 300));
    expect(summary).toMatchObject({ sent: 300, failed: 0, error: undefined });
    expect(sends).toHaveLength(2);
    const dropped = Math.min(...sends[0]!.map(({ partition }) => partition));
    const resent = sends[1]!;
    expect(resent.length).toBe(sends[0]!.filter(({ partition }) => partition === dropped).length);
    expect(resent.every(({ partition }) => partition === dropped)).toBe(true);
  });

  it('fails the send, naming what was never sent, when the answers keep leaving them out', async () => {
    const { kafka, sends } = clientDropping(Number.POSITIVE_INFINITY);
    await using producer = await createRatingsProducer(kafka, { topic: 'ratings', batchSize: 300 });
    const summary = await producer.sendAll(randomRatings(7, 300));
    expect(summary.sent).toBe(0);
    expect(summary.failed).toBe(300);
    expect(summary.error).toMatch(
      /record\(s\) were never sent: the client answered 5 sends without their partitions/,
    );
    expect(sends).toHaveLength(5);
  });
});
