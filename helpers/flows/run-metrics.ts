// The measurements of one run (a produce or consume flow), as metric events on `metrics`.

import type { Kafka } from 'kafkajs';
import type { METRIC_UNITS, MetricEvent } from '../../contracts/metric.ts';
import { CheckFailedError } from '../errors.ts';
import { createMetricsPublisher } from '../producer/metrics-publisher.ts';

/** One measurement of a run: `producer.throughput = 81234 messages/s`. */
export interface Measurement {
  name: string;
  value: number;
  unit: (typeof METRIC_UNITS)[number];
}

/** Everything the measurements of one run share. */
export interface RunMetrics {
  /** Who measured (`producer`, `consumer`); the publisher keys by it, so one source stays ordered. */
  source: string;
  window: { startMs: number; endMs: number };
  /** Labels such as runId and topic. */
  tags: Record<string, string>;
  measurements: Measurement[];
}

/** The metric events of a run, one per measurement. Values are rounded to 3 decimals: nobody reads further. */
export function metricEventsOf(run: RunMetrics, now = Date.now()): MetricEvent[] {
  return run.measurements.map((measurement) => ({
    name: measurement.name,
    value: Math.round(measurement.value * 1_000) / 1_000,
    unit: measurement.unit,
    source: run.source,
    window: { startMs: run.window.startMs, endMs: run.window.endMs },
    timestamp: Math.max(now, run.window.endMs),
    tags: { ...run.tags },
  }));
}

/**
 * Publishes a run's metric events through the metrics publisher (validated, gzip, key = source).
 * A refused event is a bug in the measurement, so it is thrown with the contract's reason.
 */
export async function publishRunMetrics(
  kafka: Kafka,
  run: RunMetrics,
  topic: string,
): Promise<MetricEvent[]> {
  const events = metricEventsOf(run);
  await using publisher = await createMetricsPublisher(kafka, { topic });
  const { refused } = await publisher.publish(events);
  if (refused.length > 0) {
    const reasons = refused.map(({ index, message }) => `${events[index]?.name}: ${message}`);
    throw new CheckFailedError(`metric events refused by the MetricEvent contract: ${reasons.join('; ')}`);
  }
  return events;
}
