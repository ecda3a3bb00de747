// Protects the decoder's fast path (canonical JSON skips the literal-recording reviver): on any event,
// valid or broken, it must reach the same verdict, value and messages as the full path.
import { it } from '@fast-check/vitest';
import { Type } from '@sinclair/typebox';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import {
  metricWithOneFieldBroken,
  ratingWithOneFieldBroken,
  validMetric,
  validRating,
} from '../../contracts/arbitraries.ts';
import { createDecoder, type Decoder } from '../../helpers/codec/decode.ts';
import { decodeMetric, decodeRating } from '../../helpers/codec/events.ts';

const RUNS = 1_000;
const bytes = (text: string) => Buffer.from(text, 'utf8');
const decoders = {
  'strict rating': decodeRating(),
  'tolerant rating': decodeRating({ unknownFields: 'ignore' }),
  'strict metric': decodeMetric(),
  'tolerant metric': decodeMetric({ unknownFields: 'ignore' }),
};

// A leading space is valid JSON but not what JSON.stringify writes, so it forces the full path.
const bothPaths = (decode: Decoder<unknown>, event: unknown) => {
  const canonical = JSON.stringify(event);
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

    it.prop([events], { numRuns: RUNS })(`${name}: canonical JSON gets the full path's verdict`, (event) => {
      const { fast, full } = bothPaths(decode, event);
      expect(fast).toEqual(full);
    });
  }

  it('refuses a canonical integer beyond 2^53 in a field with no maximum, naming its digits', () => {
    // The rating contract bounds every integer; an unbounded one is where only the fast path's own guard stops it.
    const decode = createDecoder({ schema: Type.Object({ count: Type.Integer() }), maxBytes: 1_024 });
    const { fast, full } = bothPaths(decode, { count: 2 ** 60 });
    expect(fast).toMatchObject({ ok: false, kind: 'schema' });
    expect(fast).toEqual(full);
  });
});
