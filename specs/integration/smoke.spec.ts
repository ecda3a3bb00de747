// Protects the foundation: whatever the provider, the suite talks to a real Kafka broker.
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { kafkaClient } from '../../helpers/clients/kafka-client.ts';
import { apiVersions } from '../support/api-versions.ts';

describe('the run broker', () => {
  const brokers = inject('kafkaBrokers');

  it('reports a cluster id, a controller and the API versions a real broker supports', async () => {
    const admin = kafkaClient(brokers).admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.clusterId).toMatch(/^[\w-]{22}$/);
      expect(cluster.brokers.length).toBeGreaterThanOrEqual(1);
      expect(cluster.controller).not.toBeNull();
    } finally {
      await admin.disconnect();
    }
    // ApiVersions is answered by the broker itself: Produce (0), Fetch (1) and CreateTopics (19).
    const versions = await apiVersions(brokers[0]!);
    for (const apiKey of [0, 1, 19]) expect(versions.get(apiKey)?.maxVersion ?? -1).toBeGreaterThan(0);
  });

  it('creates a topic, produces a record and consumes it back', async () => {
    const topic = `smoke-${randomUUID()}`;
    const kafka = kafkaClient(brokers);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value: 'hello' }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `smoke-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void received.push(String(message.value)) });
    try {
      await expect.poll(() => received, { timeout: 20_000 }).toEqual(['hello']);
    } finally {
      await consumer.disconnect();
    }
  });

  it('refuses to auto-create a topic that was never declared', async () => {
    const producer = kafkaClient(brokers, { retry: { retries: 1 } }).producer({
      allowAutoTopicCreation: true,
    });
    await producer.connect();
    try {
      await expect(
        producer.send({ topic: `missing-${randomUUID()}`, messages: [{ value: 'x' }] }),
      ).rejects.toThrow(/does not host this topic-partition|UNKNOWN_TOPIC_OR_PARTITION|not.*exist/i);
    } finally {
      await producer.disconnect();
    }
  });
});
