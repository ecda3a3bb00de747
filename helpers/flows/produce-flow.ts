// The produce flow: ratings from any source through the validating producer, then one set of run metrics.
import type { Kafka } from 'kafkajs';
import type { RatingEvent } from '../../contracts/rating.ts';
import { METRICS_TOPIC, RATINGS_TOPIC } from '../../contracts/topics.ts';
import {
  createRatingsProducer,
  type ProduceSummary,
  type Refusal,
  type RetryOptions,
} from '../producer/ratings-producer.ts';
import { type MetricsOutcome, metricsOutcome } from './metrics-outcome.ts';
import { percentile } from './percentile.ts';
import { publishRunMetrics } from './run-metrics.ts';

/** Options of {@link runProduceFlow}. */
export interface ProduceFlowOptions {
  topic: string;
  /** Identifies the run in metric tags (and in record headers with `tagRecords`). */
  runId: string;
  /** Adds `run-id` and `seq` headers to every record, so a reader can pick this run's records out. */
  tagRecords: boolean;
  batchSize: number;
  /** Where the run's metrics go; `undefined` publishes none. */
  metricsTopic: string | undefined;
  onProgress: (sent: number) => void;
  onRefused: (refusal: Refusal) => void;
  /** How long a send keeps retrying retriable broker answers; the producer's default when unset. */
  retry: RetryOptions;
  /** How long the leader may hold one send for its in-sync replicas; kafkajs' 30 s when unset. */
  ackTimeoutMs: number;
}

/** A produce run: the producer's summary plus the figures a person (and the metrics topic) wants. */
export interface ProduceFlowResult {
  runId: string;
  topic: string;
  summary: ProduceSummary;
  window: { startMs: number; endMs: number };
  messagesPerSecond: number;
  megabytesPerSecond: number;
  /** Per-batch send-to-acknowledgement times. */
  batchLatencyMs: { batches: number; p50: number; p99: number; max: number };
  metrics: MetricsOutcome | undefined;
}

const MB = 1024 * 1024;

/** Sends `events` through {@link createRatingsProducer} and publishes the run's throughput and latency. */
export async function runProduceFlow(
  kafka: Kafka,
  events: Iterable<RatingEvent> | AsyncIterable<RatingEvent>,
  options: Partial<ProduceFlowOptions> & { runId: string },
): Promise<ProduceFlowResult> {
  const topic = options.topic ?? RATINGS_TOPIC.name;
  const latencies: number[] = [];
  const startMs = Date.now();
  const producer = await createRatingsProducer(kafka, {
    topic,
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    runId: options.tagRecords ? options.runId : undefined,
    onProgress: ({ sent, batchMs }) => {
      latencies.push(batchMs);
      options.onProgress?.(sent);
    },
    ...(options.onRefused ? { onRefused: options.onRefused } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    ackTimeoutMs: options.ackTimeoutMs,
  });
  let summary: ProduceSummary;
  try {
    summary = await producer.sendAll(events);
  } finally {
    await producer.disconnect();
  }
  const endMs = Math.max(startMs, Date.now());
  const seconds = summary.elapsedMs / 1_000;
  const result: ProduceFlowResult = {
    runId: options.runId,
    topic,
    summary,
    window: { startMs, endMs },
    messagesPerSecond: seconds > 0 ? summary.sent / seconds : 0,
    megabytesPerSecond: seconds > 0 ? summary.bytes / MB / seconds : 0,
    batchLatencyMs: {
      batches: latencies.length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.length > 0 ? Math.max(...latencies) : 0,
    },
    metrics: undefined,
  };
  const metricsTopic = 'metricsTopic' in options ? options.metricsTopic : METRICS_TOPIC.name;
  if (metricsTopic !== undefined && summary.error !== undefined) {
    // The cluster just refused or lost a send: publishing would meet the same fault and hold the caller
    // for another retry budget (half a minute with two brokers of a production cluster down).
    result.metrics = { topic: metricsTopic, error: 'not published: a send of this run failed' };
  } else if (metricsTopic !== undefined) {
    result.metrics = await metricsOutcome(metricsTopic, () =>
      publishRunMetrics(
        kafka,
        {
          source: 'producer',
          window: result.window,
          tags: { runId: options.runId, topic },
          measurements: [
            { name: 'producer.throughput', value: result.messagesPerSecond, unit: 'messages/s' },
            { name: 'producer.bandwidth', value: result.megabytesPerSecond, unit: 'MB/s' },
            { name: 'producer.batch-latency.p50', value: result.batchLatencyMs.p50, unit: 'ms' },
            { name: 'producer.sent', value: summary.sent, unit: 'count' },
          ],
        },
        metricsTopic,
      ),
    );
  }
  return result;
}
