// Protects the decoder's fast path (canonical JSON skips the literal-recording reviver): on any event,
// valid or broken, it must reach the same verdict, value and messages as the full path.
import { it } from '@fast-check/vitest';
import { Type } from '@sinclair/typebox';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { MetricEvent } from '../../contracts/metric.ts';
import { RatingEvent } from '../../contracts/rating.ts';
import { createDecoder, type Decoder } from '../../helpers/codec/decode.ts';
import { decodeMetric, decodeRating } from '../../helpers/codec/events.ts';
import { createSerializer, type Serializer } from '../../helpers/codec/serialize.ts';
import {
  metricWithOneFieldBroken,
  ratingWithOneFieldBroken,
  validMetric,
  validRating,
} from '../support/arbitraries.ts';

const RUNS = 1_000;
const bytes = (text: string) => Buffer.from(text, 'utf8');
const decoders = {
  'strict rating': decodeRating(),
  'tolerant rating': decodeRating({ unknownFields: 'ignore' }),
  'strict metric': decodeMetric(),
  'tolerant metric': decodeMetric({ unknownFields: 'ignore' }),
};

const writers = {
  rating: createSerializer(RatingEvent),
  metric: createSerializer(MetricEvent),
};

// What our encoder writes (doubles with their decimal point) takes the fast path; a leading space is
// valid JSON but not what it writes, so it forces the full path.
const bothPaths = (decode: Decoder<unknown>, event: unknown, writer: Serializer) => {
  const canonical = writer(event) ?? JSON.stringify(event);
  return { fast: decode(bytes(canonical)), full: decode(bytes(` ${canonical}`)) };
};

describe('decoder fast path', () => {
  for (const [name, decode] of Object.entries(decoders)) {
    const events = name.endsWith('rating')
      ? fc.oneof(
          validRating(),
          ratingWithOneFieldBroken().map((broken) => broken.event),
        )
      : fc.oneof(
          validMetric(),
          metricWithOneFieldBroken().map((broken) => broken.event),
        );

    const writer = name.endsWith('rating') ? writers.rating : writers.metric;
    it.prop([events], { numRuns: RUNS })(`${name}: canonical JSON gets the full path's verdict`, (event) => {
      // What our producers write, and what other writers send (JSON.stringify: 5 for 5.0).
      for (const write of [writer, (value: unknown) => JSON.stringify(value)]) {
        const { fast, full } = bothPaths(decode, event, write);
        expect(fast).toEqual(full);
      }
    });
  }

  it('refuses a canonical integer beyond 2^53 in a field with no maximum, naming its digits', () => {
    // The rating contract bounds every integer; an unbounded one is where only the fast path's own guard stops it.
    const decode = createDecoder({ schema: Type.Object({ count: Type.Integer() }), maxBytes: 1_024 });
    const { fast, full } = bothPaths(
      decode,
      { count: 2 ** 60 },
      createSerializer(Type.Object({ count: Type.Integer() })),
    );
    expect(fast).toMatchObject({ ok: false, kind: 'schema' });
    expect(fast).toEqual(full);
  });
});
