// What the downstream consumers do with a record, as code both the Pact consumer specs and the broker
// round trip run: decode the value with the reader each consumer's pin builds (its release, its kind of
// reader: Spark's from_json ignores unknown fields, the dashboard's strict decoder refuses them) and check
// the key. A consumer deployed at 1.0.0 judges today's records with 1.0.0's rules, not the working ones.
import { fileURLToPath } from 'node:url';
import { pinOf } from '../../../contracts/consumers.ts';
import type { MetricEvent } from '../../../contracts/metric.ts';
import type { RatingEvent } from '../../../contracts/rating.ts';
import type { DecodeResult } from '../../../helpers/codec/decode.ts';
import { type PinnedRelease, pinnedReader, pinnedRelease } from '../../../helpers/compat/pins.ts';
import { CheckFailedError } from '../../../helpers/errors.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A record as a consumer receives it: value bytes (or already parsed JSON) and its metadata. */
export interface ReceivedMessage {
  value: Uint8Array | string | null;
  /** The record key as a string; `null` when the record has none. */
  key: string | null;
  topic: string;
}

/** A record the consumer refuses, with the reason a person can act on. */
export class MessageRejected extends CheckFailedError {
  override readonly name: string = 'MessageRejected';
}

/** A consumer's record handler: the event, or {@link MessageRejected} with the reason. */
export type MessageHandler<T> = (message: ReceivedMessage) => T;

/**
 * The handler of the consumer `pinned` names: decodes with the reader built from its pinned release and
 * requires the record key to be the event's `keyField`. Typed as the working event (what our specs
 * compare with); what it accepts is the release's.
 */
export function pinnedHandler<T>(pinned: PinnedRelease, keyField: string): MessageHandler<T> {
  const decode = pinnedReader(pinned);
  return (message) => {
    const event = accepted(decode(bytesOf(message.value)), message.topic) as Record<string, unknown>;
    expectKey(message, String(event[keyField]), keyField);
    return event as T;
  };
}

/** The Spark recommender's pinned release (contracts/consumers.ts), checked against its manifest. */
export const SPARK_RECOMMENDER_PIN: PinnedRelease = pinnedRelease(ROOT, pinOf('spark-recommender'));
/** The metrics dashboard's pinned release. */
export const METRICS_DASHBOARD_PIN: PinnedRelease = pinnedRelease(ROOT, pinOf('metrics-dashboard'));

/** The Spark recommender's reader: a rating its release allows, keyed by its userId, or {@link MessageRejected}. */
export const handleRatingMessage: MessageHandler<RatingEvent> = pinnedHandler(
  SPARK_RECOMMENDER_PIN,
  'userId',
);

/** The metrics dashboard's reader: a metric its release allows, keyed by its source, or {@link MessageRejected}. */
export const handleMetricMessage: MessageHandler<MetricEvent> = pinnedHandler(
  METRICS_DASHBOARD_PIN,
  'source',
);

/**
 * Reads a Pact message (`{ contents: { content }, metadata }`) as a record. Pact hands JSON content over
 * parsed; it is serialised back to the bytes a JSON producer would have sent.
 */
export function fromPactMessage(message: {
  contents: { content: unknown };
  metadata: unknown;
}): ReceivedMessage {
  const { content } = message.contents;
  const metadata = (message.metadata ?? {}) as Record<string, unknown>;
  const value =
    content instanceof Uint8Array ? content : content === undefined ? null : JSON.stringify(content);
  return {
    value,
    key: typeof metadata.key === 'string' ? metadata.key : null,
    topic: typeof metadata.topic === 'string' ? metadata.topic : '',
  };
}

function bytesOf(value: Uint8Array | string | null): Uint8Array | null {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function accepted<T>(result: DecodeResult<T>, topic: string): T {
  if (!result.ok)
    throw new MessageRejected(`record on ${topic || 'an unnamed topic'} refused: ${result.message}`);
  return result.value;
}

function expectKey(message: ReceivedMessage, expected: string, field: string): void {
  if (message.key !== expected) {
    throw new MessageRejected(
      `record on ${message.topic} refused: key must be the ${field} ${JSON.stringify(expected)}, found ${message.key === null ? 'no key' : JSON.stringify(message.key)}`,
    );
  }
}
