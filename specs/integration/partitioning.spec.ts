// Protects key-based partitioning: every userId lands where the Java client's default partitioner
// (murmur2) puts it, as stored by the broker and as an independent client (kcat) computes it.
import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import { USER_ID_MAX } from '../../contracts/rating.ts';
import { RATINGS_TOPIC } from '../../contracts/topics.ts';
import { javaDefaultPartition } from '../../helpers/partitioner/murmur2.ts';
import { createRatingsProducer } from '../../helpers/producer/ratings-producer.ts';
import { isolatedTopic, runKafka } from '../support/broker.ts';
import { kcat, kcatMissing, withKcat } from '../support/kcat.ts';
import { readTopic } from '../support/read-topic.ts';

const USERS = 1_500;
/** Fixed seed: the same userIds every run, so a failure names a reproducible key. */
const SEED = 20_000_263;

const userIds = fc.sample(fc.integer({ min: 1, max: USER_ID_MAX }), { numRuns: USERS, seed: SEED });

describe('ratings topic partitioning', () => {
  it(`stores each of ${USERS} userIds on the murmur2 partition, the same user always on the same one`, async () => {
    const kafka = runKafka();
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    await using producer = await createRatingsProducer(kafka, { topic: topic.name });
    // Every user twice, so "same user, same partition" is observed, not assumed.
    const events = [...userIds, ...userIds].map((userId, i) => ({
      userId,
      movieId: 1 + (i % 27_000),
      rating: 3,
      timestamp: 1_260_759_144_000 + i,
    }));
    const summary = await producer.sendAll(events);
    expect(summary).toMatchObject({ sent: events.length, refusedCount: 0, error: undefined });

    const records = await readTopic(kafka, topic.name, events.length);
    expect(records).toHaveLength(events.length);
    const wrong = records.filter(
      (record) => record.partition !== javaDefaultPartition(record.key!, RATINGS_TOPIC.partitions),
    );
    expect(wrong.slice(0, 5), `${wrong.length} records off their murmur2 partition`).toEqual([]);
    const partitionsByUser = new Map<string, Set<number>>();
    for (const record of records)
      partitionsByUser.set(
        record.key!,
        (partitionsByUser.get(record.key!) ?? new Set()).add(record.partition),
      );
    expect([...partitionsByUser.values()].filter((set) => set.size > 1)).toEqual([]);
    expect(new Set(records.map((record) => record.partition))).toEqual(new Set([0, 1, 2]));
  });

  it.skipIf(kcatMissing)(
    withKcat('agrees with kcat (librdkafka, partitioner=murmur2_random) on every key'),
    async () => {
      const kafka = runKafka();
      const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
      const keys = [...new Set(userIds)].slice(0, 1_000).map(String);
      const input = keys.map((key) => `${key}\t{"userId":${key}}`).join('\n');
      await kcat(
        [
          '-P',
          '-b',
          inject('kafkaBrokers').join(','),
          '-t',
          topic.name,
          '-K',
          '\t',
          '-X',
          'partitioner=murmur2_random',
        ],
        `${input}\n`,
      );

      const records = await readTopic(kafka, topic.name, keys.length);
      const disagreements = records.filter(
        (record) => record.partition !== javaDefaultPartition(record.key!, RATINGS_TOPIC.partitions),
      );
      expect(records).toHaveLength(keys.length);
      expect(disagreements.slice(0, 5)).toEqual([]);
    },
  );
});
