// The reference document's mode: one awaited send at a time, next to ProducerPerformance at the same rate.
import type { Kafka } from 'kafkajs';
import { percentile } from '../../helpers/flows/percentile.ts';
import { createRatingsProducer } from '../../helpers/producer/ratings-producer.ts';
import { randomRatings } from '../../helpers/sources/random-ratings.ts';
import type { BenchTopics } from '../bench-topic.ts';
import type { Dataset } from '../dataset.ts';
import type { SendLatency } from '../results.ts';
import type { JavaTools } from '../tools/java-tools.ts';
import { producerPerformance } from '../tools/producer-performance.ts';

/**
 * Sends `records` events through our producer with one record per send(), each awaited before the next
 * (the producer's batch of 1), then asks ProducerPerformance for the same count at our achieved rate.
 */
export async function measureSequentialSends(
  kafka: Kafka,
  topics: BenchTopics,
  brokers: string[],
  tools: JavaTools,
  dataset: Dataset,
  records: number,
): Promise<SendLatency[]> {
  const topic = await topics.create('sequential');
  const perSend: number[] = [];
  const producer = await createRatingsProducer(kafka, {
    topic,
    batchSize: 1,
    onProgress: ({ batchMs }) => perSend.push(batchMs),
  });
  let elapsedMs: number;
  try {
    const summary = await producer.sendAll(randomRatings(dataset.seed, records));
    if (summary.error) throw new Error(summary.error);
    elapsedMs = summary.elapsedMs;
  } finally {
    await producer.disconnect();
  }
  const ourRate = records / (elapsedMs / 1000);
  const ours: SendLatency = {
    tool: 'ours: createRatingsProducer, batch of 1, each send awaited',
    records,
    messagesPerSecond: ourRate,
    avgMs: perSend.reduce((sum, ms) => sum + ms, 0) / perSend.length,
    p50Ms: percentile(perSend, 50),
    p99Ms: percentile(perSend, 99),
    maxMs: Math.max(...perSend),
  };

  const perfTopic = await topics.create('sequential-perf');
  const { result } = await producerPerformance(tools, {
    brokers,
    topic: perfTopic,
    records,
    throughput: Math.max(1, Math.round(ourRate)),
    payloadFile: dataset.payloadFile,
  });
  const perf: SendLatency = {
    tool: `ProducerPerformance --throughput ${Math.max(1, Math.round(ourRate))} (async sends, unkeyed)`,
    records: result.records,
    messagesPerSecond: result.recordsPerSecond,
    avgMs: result.avgLatencyMs,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    maxMs: result.maxLatencyMs,
  };
  return [ours, perf];
}
