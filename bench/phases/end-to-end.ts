// Produce-to-consume latency at a steady rate: our producer and consumer, one process, one clock.
import type { Kafka } from 'kafkajs';
import { consumeRatings, uniqueGroupId } from '../../helpers/consumer/ratings-consumer.ts';
import { percentile } from '../../helpers/flows/percentile.ts';
import { createRatingsProducer } from '../../helpers/producer/ratings-producer.ts';
import { randomRatings } from '../../helpers/sources/random-ratings.ts';
import { throttle } from '../../helpers/sources/throttle.ts';
import type { BenchTopics } from '../bench-topic.ts';
import type { EndToEndLatency } from '../results.ts';

/** The steady load: events per second, for how long, from which seed, how many records per send(). */
export interface SteadyLoad {
  rate: number;
  seconds: number;
  seed: number;
  batchSize: number;
}

/** The CLI's rule for `produce --rate`: a tenth of a second of events per send(). */
export const cliBatchSize = (rate: number): number => Math.min(2_000, Math.max(1, Math.round(rate / 10)));

/** The join must come first, or the first records would wait for it and count as latency. */
const JOIN_TIMEOUT_MS = 30_000;

/**
 * Sends `rate × seconds` events through our producer, paced by the CLI's token bucket, and reads them
 * with our consumer. Each record carries a `seq` header (the producer's run tagging); the time the
 * event was handed to the producer is kept by seq, so latency = consumer's now − handed-at, on the
 * same monotonic clock. The first second is the warm-up and is left out of the percentiles.
 */
export async function measureEndToEnd(
  kafka: Kafka,
  topics: BenchTopics,
  load: SteadyLoad,
): Promise<EndToEndLatency> {
  const topic = await topics.create('latency');
  const count = Math.round(load.rate * load.seconds);
  const { batchSize } = load;
  const handedAt = new Float64Array(count);
  const latencies: number[] = [];
  const warmup = Math.min(load.rate, Math.floor(count / 2));

  let joined: () => void = () => {};
  const hasJoined = new Promise<void>((resolve) => {
    joined = resolve;
  });
  const consuming = consumeRatings(kafka, {
    topic,
    groupId: uniqueGroupId('bench-latency'),
    fromBeginning: true,
    maxMessages: count,
    idleTimeoutMs: 15_000,
    sampleSize: 0,
    onJoined: () => joined(),
    onEvent: (_event, record) => {
      const seq = Number(record.headers.seq);
      if (seq >= warmup) latencies.push(performance.now() - handedAt[seq]!);
    },
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    hasJoined,
    consuming.then(() => Promise.reject(new Error(`latency consumer stopped before joining ${topic}`))),
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`latency consumer did not join within ${JOIN_TIMEOUT_MS} ms`)),
        JOIN_TIMEOUT_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));

  const producer = await createRatingsProducer(kafka, { topic, runId: 'bench-latency', batchSize });
  async function* stamped() {
    let seq = 0;
    for await (const event of throttle(randomRatings(load.seed, count), load.rate)) {
      handedAt[seq++] = performance.now();
      yield event;
    }
  }
  let sent: number;
  try {
    const summary = await producer.sendAll(stamped());
    if (summary.error) throw new Error(summary.error);
    sent = summary.sent;
  } finally {
    await producer.disconnect();
  }
  const consumed = await consuming;
  return {
    rate: load.rate,
    seconds: load.seconds,
    sent,
    received: consumed.valid,
    batchSize,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.length > 0 ? Math.max(...latencies) : 0,
  };
}
