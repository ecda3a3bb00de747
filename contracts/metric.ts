// The metric event: one measurement (throughput, latency, RMSE...) of the streaming job or of our flows.
import { type Static, Type } from '@sinclair/typebox';

/** Units a metric may carry; a dashboard renders each one differently. */
export const METRIC_UNITS = ['messages/s', 'MB/s', 'ms', 'count', 'ratio', 'rmse', 'stars'] as const;
/** A metric event is small; anything past this is refused before parsing. */
export const METRIC_MAX_BYTES = 4_096;

/** A metric event on the `metrics` topic. Strict: finite numbers only, no unknown fields. */
export const MetricEvent = Type.Object(
  {
    name: Type.String({
      pattern: '^[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*$',
      maxLength: 128,
      description: 'Dotted metric name, e.g. producer.throughput or als.rmse',
    }),
    value: Type.Number({ description: 'The measurement; finite (JSON has no NaN or Infinity)' }),
    unit: Type.Union(
      METRIC_UNITS.map((unit) => Type.Literal(unit)),
      { description: 'Unit of value' },
    ),
    source: Type.String({
      pattern: '^[a-z][a-z0-9-]*$',
      maxLength: 64,
      description: 'Who measured: producer, consumer, spark-recommender...',
    }),
    window: Type.Object(
      {
        startMs: Type.Integer({ exclusiveMinimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
        endMs: Type.Integer({ exclusiveMinimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
      },
      {
        additionalProperties: false,
        description: 'Measurement window, epoch milliseconds; endMs >= startMs',
      },
    ),
    timestamp: Type.Integer({
      exclusiveMinimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'When the metric was published, epoch milliseconds',
    }),
    tags: Type.Optional(
      // TypeBox enforces a Record's key pattern only with additionalProperties: false, and ignores
      // maxLength on keys: the length limit lives in the pattern.
      Type.Record(Type.String({ pattern: '^[a-zA-Z][\\w.-]{0,63}$' }), Type.String({ maxLength: 256 }), {
        additionalProperties: false,
        description: 'Free-form labels: runId, topic, partition...',
      }),
    ),
  },
  { $id: 'MetricEvent', title: 'MetricEvent', additionalProperties: false },
);
/** A metric event on the `metrics` topic. */
export type MetricEvent = Static<typeof MetricEvent>;

/** Rules JSON Schema cannot state across fields; the decoder reports them like schema errors. */
export function metricInvariants(event: MetricEvent): { path: string; expected: string; received: string }[] {
  if (event.window.endMs < event.window.startMs) {
    return [
      {
        path: '/window/endMs',
        expected: `>= window.startMs (${event.window.startMs})`,
        received: String(event.window.endMs),
      },
    ];
  }
  return [];
}
