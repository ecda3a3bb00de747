// Finds the metric events one run published: verify and the specs ask "did this run report itself?".

import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { METRICS_READER_GROUP_PREFIX } from '../../contracts/groups.ts';
import type { MetricEvent } from '../../contracts/metric.ts';
import { METRICS_TOPIC } from '../../contracts/topics.ts';
import { decodeMetric } from '../codec/events.ts';

/** Options of {@link readRunMetrics}. */
export interface MetricsReadOptions {
  topic: string;
  /** Where to start, per partition; unset: the beginning of the topic. */
  fromOffsets: { partition: number; offset: string }[] | undefined;
  /** Stop as soon as the events found so far satisfy this. */
  until: (events: MetricEvent[]) => boolean;
  timeoutMs: number;
}

/** What was found: the run's events, and how many records on the way were not valid metrics. */
export interface RunMetricsRead {
  events: MetricEvent[];
  invalid: number;
  /** The first invalid records' reasons, with partition and offset. */
  errors: string[];
  timedOut: boolean;
}

/**
 * Reads `metrics` from the given offsets (else the beginning) and keeps the valid events tagged with
 * `runId`, until `until` holds or the timeout passes. Nothing is committed: the throwaway group leaves no trace.
 */
export async function readRunMetrics(
  kafka: Kafka,
  runId: string,
  options: Partial<MetricsReadOptions> = {},
): Promise<RunMetricsRead> {
  const topic = options.topic ?? METRICS_TOPIC.name;
  const until = options.until ?? ((events: MetricEvent[]) => events.length > 0);
  const decode = decodeMetric();
  const result: RunMetricsRead = { events: [], invalid: 0, errors: [], timedOut: false };
  const consumer = kafka.consumer({
    groupId: `${METRICS_READER_GROUP_PREFIX}-${randomUUID()}`,
    maxWaitTimeInMs: 100,
  });
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  // GROUP_JOIN fires inside kafkajs' join, before the first fetch: the seek is what that fetch uses.
  consumer.on(consumer.events.GROUP_JOIN, () => {
    for (const { partition, offset } of options.fromOffsets ?? [])
      consumer.seek({ topic, partition, offset });
  });
  await consumer.connect();
  const timer = setTimeout(() => {
    result.timedOut = true;
    done();
  }, options.timeoutMs ?? 15_000);
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const decoded = decode(message.value);
          if (!decoded.ok) {
            result.invalid++;
            if (result.errors.length < 10)
              result.errors.push(`partition ${batch.partition} offset ${message.offset}: ${decoded.message}`);
          } else if (decoded.value.tags?.runId === runId) {
            result.events.push(decoded.value);
          }
        }
        if (until(result.events)) done();
      },
    });
    await finished;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return result;
}
