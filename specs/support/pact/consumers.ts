// What the downstream consumers do with a record, as code both the Pact consumer specs and the broker
// round trip run: decode the value tolerantly (Spark's from_json ignores unknown fields) and check the key.

import type { MetricEvent } from '../../../contracts/metric.ts';
import type { RatingEvent } from '../../../contracts/rating.ts';
import type { DecodeResult } from '../../../helpers/codec/decode.ts';
import { decodeMetric, decodeRating } from '../../../helpers/codec/events.ts';
import { CheckFailedError } from '../../../helpers/errors.ts';

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

const decodeTolerantRating = decodeRating({ unknownFields: 'ignore' });
const decodeTolerantMetric = decodeMetric({ unknownFields: 'ignore' });

/** The Spark recommender's reader: a valid rating keyed by its userId, or {@link MessageRejected}. */
export function handleRatingMessage(message: ReceivedMessage): RatingEvent {
  const event = accepted(decodeTolerantRating(bytesOf(message.value)), message.topic);
  expectKey(message, String(event.userId), 'userId');
  return event;
}

/** The metrics dashboard's reader: a valid metric keyed by its source, or {@link MessageRejected}. */
export function handleMetricMessage(message: ReceivedMessage): MetricEvent {
  const event = accepted(decodeTolerantMetric(bytesOf(message.value)), message.topic);
  expectKey(message, event.source, 'source');
  return event;
}

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
