// The consume flow: consumeRatings over a topic, then one set of run metrics.
import type { Kafka } from 'kafkajs';
import { METRICS_TOPIC, RATINGS_TOPIC } from '../../contracts/topics.ts';
import {
  type ConsumeOptions,
  type ConsumeSummary,
  consumeRatings,
  DEFAULT_GROUP_ID,
} from '../consumer/ratings-consumer.ts';
import { type MetricsOutcome, metricsOutcome } from './metrics-outcome.ts';
import { publishRunMetrics } from './run-metrics.ts';

/** Options of {@link runConsumeFlow}: the consumer's, plus the run id and where metrics go. */
export interface ConsumeFlowOptions extends ConsumeOptions {
  runId: string;
  /** Where the run's metrics go; `undefined` publishes none. */
  metricsTopic: string | undefined;
}

/** A consume run: the consumer's summary plus its throughput and the metrics outcome. */
export interface ConsumeFlowResult {
  runId: string;
  topic: string;
  groupId: string;
  summary: ConsumeSummary;
  window: { startMs: number; endMs: number };
  /** Records per second over the busy part of the run (idle wait at the end excluded). */
  messagesPerSecond: number;
  metrics: MetricsOutcome | undefined;
  /** Where invalid records were routed, if anywhere. */
  deadLetterTopic: string | undefined;
}

/** Consumes with {@link consumeRatings} and publishes the run's throughput and invalid count. */
export async function runConsumeFlow(
  kafka: Kafka,
  options: Partial<ConsumeFlowOptions> & { runId: string },
): Promise<ConsumeFlowResult> {
  const { runId, metricsTopic: _ignored, ...consumeOptions } = options;
  const topic = options.topic ?? RATINGS_TOPIC.name;
  const groupId = options.groupId ?? DEFAULT_GROUP_ID;
  const startMs = Date.now();
  const summary = await consumeRatings(kafka, { ...consumeOptions, topic, groupId });
  const endMs = Math.max(startMs, Date.now());
  const busySeconds = summary.lastRecordMs / 1_000;
  const result: ConsumeFlowResult = {
    runId,
    topic,
    groupId,
    summary,
    window: { startMs, endMs },
    messagesPerSecond: busySeconds > 0 ? summary.total / busySeconds : 0,
    metrics: undefined,
    deadLetterTopic: options.deadLetterTopic,
  };
  const metricsTopic = 'metricsTopic' in options ? options.metricsTopic : METRICS_TOPIC.name;
  if (metricsTopic !== undefined) {
    result.metrics = await metricsOutcome(metricsTopic, () =>
      publishRunMetrics(
        kafka,
        {
          source: 'consumer',
          window: result.window,
          tags: { runId, topic, groupId },
          measurements: [
            { name: 'consumer.throughput', value: result.messagesPerSecond, unit: 'messages/s' },
            { name: 'consumer.consumed', value: summary.total, unit: 'count' },
            { name: 'consumer.invalid', value: summary.invalid, unit: 'count' },
          ],
        },
        metricsTopic,
      ),
    );
  }
  return result;
}
