// Protects the decoder's promise to a Kafka consumer: whatever bytes arrive, it returns a classified result
// and never throws; and the producer's encoder never writes a value JSON cannot carry exactly.
import { isUtf8 } from 'node:buffer';
import { it } from '@fast-check/vitest';
import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { MetricEvent } from '../../contracts/metric.ts';
import { RATING_MAX_BYTES, RatingEvent } from '../../contracts/rating.ts';
import type { DecodeFailureKind, DecodeResult, Decoder } from '../../helpers/codec/decode.ts';
import { createEncoder } from '../../helpers/codec/encode.ts';
import { decodeMetric, decodeRating, METRIC_CONTRACT, RATING_CONTRACT } from '../../helpers/codec/events.ts';
import { validMetric, validRating } from '../support/arbitraries.ts';
import { fieldOf } from './fixture-table.ts';

const RUNS = 1_000;
const REFERENCE = '{"userId": 1, "movieId": 31, "rating": 2.5, "timestamp": 1260759144000}';
const bytes = (text: string) => Buffer.from(text, 'utf8');
const decode = decodeRating();
const tolerant = decodeRating({ unknownFields: 'ignore' });

/** A rating record value padded with trailing spaces to exactly `length` bytes. */
const padded = (length: number) => bytes(REFERENCE.padEnd(length, ' '));

describe('decoder failure classification', () => {
  it.each<[string, DecodeFailureKind, Uint8Array | null | undefined]>([
    ['a null value (a tombstone)', 'null', null],
    ['an undefined value', 'null', undefined],
    ['empty bytes', 'empty', new Uint8Array(0)],
    ['one byte past the limit', 'too-large', padded(RATING_MAX_BYTES + 1)],
    ['0xC3 0x28 (a lead byte without its continuation)', 'not-utf8', Uint8Array.of(0xc3, 0x28)],
    ['an overlong encoding of "/"', 'not-utf8', Uint8Array.of(0xc0, 0xaf)],
    ['a UTF-16 surrogate encoded as UTF-8 (CESU-8)', 'not-utf8', Uint8Array.of(0xed, 0xa0, 0x80)],
    ['a truncated four-byte sequence', 'not-utf8', Uint8Array.of(0xf0, 0x9f, 0x98)],
    ['Latin-1 text', 'not-utf8', Uint8Array.of(0x22, 0xe9, 0x22)],
    ['an unclosed object', 'not-json', bytes('{')],
    ['a byte order mark before the object', 'not-json', bytes(`\uFEFF${REFERENCE}`)],
    ['whitespace only', 'not-json', bytes('   ')],
    ['the array [1]', 'not-object', bytes('[1]')],
    ['the string "x"', 'not-object', bytes('"x"')],
    ['the number 3', 'not-object', bytes('3')],
    ['the JSON text null', 'not-object', bytes('null')],
    ['an object breaking the schema', 'schema', bytes('{"userId": 0}')],
  ])('classifies %s as %s', (_, kind, value) => {
    const result = decode(value);
    if (result.ok) throw new Error('accepted');
    expect(result.kind).toBe(kind);
    expect(result.message).not.toBe('');
    expect(result.errors.length > 0).toBe(kind === 'schema');
  });

  it('accepts a record of exactly the byte limit', () => {
    expect(decode(padded(RATING_MAX_BYTES)).ok).toBe(true);
  });

  it('never substitutes U+FFFD for a bad byte, even inside a field a tolerant reader would drop', () => {
    const withBadByte = Buffer.concat([
      bytes(`${REFERENCE.slice(0, -1)}, "note": "`),
      Uint8Array.of(0xc3, 0x28),
      bytes('"}'),
    ]);
    expect(tolerant(withBadByte)).toMatchObject({ ok: false, kind: 'not-utf8' });
    // A U+FFFD the producer really wrote is valid UTF-8 and passes through the tolerant reader.
    const withReplacement = bytes(`${REFERENCE.slice(0, -1)}, "note": "\uFFFD"}`);
    expect(tolerant(withReplacement)).toMatchObject({ ok: true, ignoredFields: ['note'] });
  });

  it('reads only the bytes of a view into a larger buffer', () => {
    const whole = bytes(`xxxx${REFERENCE}yyyy`);
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 4, whole.byteLength - 8);
    expect(decode(view)).toMatchObject({ ok: true, value: JSON.parse(REFERENCE) });
  });
});

const ratingDecoders = fc.constantFrom<[string, Decoder<unknown>]>(
  ['strict', decode],
  ['tolerant', tolerant],
);

describe('decoder on arbitrary input', () => {
  it.prop([fc.jsonValue(), ratingDecoders], { numRuns: RUNS })(
    'classifies every JSON value without throwing',
    (value, [, decoder]) => {
      const encoded = bytes(JSON.stringify(value));
      expectClassified(decoder(encoded), encoded, RATING_MAX_BYTES, RatingEvent);
    },
  );

  it.prop([fc.json(), ratingDecoders], { numRuns: RUNS })(
    'classifies every JSON text without throwing',
    (text, [, decoder]) => {
      const encoded = bytes(text);
      expectClassified(decoder(encoded), encoded, RATING_MAX_BYTES, RatingEvent);
    },
  );

  it.prop([fc.string({ unit: 'binary', maxLength: 200 }), ratingDecoders], { numRuns: RUNS })(
    'classifies every text without throwing',
    (text, [, decoder]) => {
      const encoded = bytes(text);
      expectClassified(decoder(encoded), encoded, RATING_MAX_BYTES, RatingEvent);
    },
  );

  it.prop([fc.uint8Array({ maxLength: 2048 }), ratingDecoders], { numRuns: RUNS })(
    'classifies every byte array without throwing',
    (value, [, decoder]) => {
      expectClassified(decoder(value), value, RATING_MAX_BYTES, RatingEvent);
    },
  );

  it.prop([fc.uint8Array({ maxLength: 2048 })], { numRuns: RUNS })(
    'classifies every byte array without throwing, for metrics too',
    (value) => {
      expectClassified(decodeMetric()(value), value, METRIC_CONTRACT.maxBytes, MetricEvent);
    },
  );

  it.prop([validRating(), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 })], { numRuns: RUNS })(
    'classifies a valid rating with bytes spliced in without throwing',
    (event, at, splice) => {
      const original = bytes(JSON.stringify(event));
      const cut = at % (original.byteLength + 1);
      const mangled = Buffer.concat([original.subarray(0, cut), splice, original.subarray(cut)]);
      expectClassified(decode(mangled), mangled, RATING_MAX_BYTES, RatingEvent);
    },
  );
});

describe('encoder', () => {
  const encodeRating = createEncoder(RATING_CONTRACT);
  const encodeMetric = createEncoder(METRIC_CONTRACT);
  const reference = JSON.parse(REFERENCE) as RatingEvent;

  it('writes exactly the JSON of the event', () => {
    expect(encodeRating(reference)).toEqual({ ok: true, bytes: bytes(JSON.stringify(reference)) });
  });

  it.each([
    ['NaN', Number.NaN, 'null'],
    ['Infinity', Number.POSITIVE_INFINITY, 'null'],
    ['-Infinity', Number.NEGATIVE_INFINITY, 'null'],
    // 2^53+1 has no double: the literal already is 2^53, which a Java long reader would take as a different instant.
    ['2^53+1', 2 ** 53 + 1, '9007199254740992'],
    ['1.5', 1.5, '1.5'],
  ])('refuses a timestamp of %s with an error on timestamp', (_, timestamp, received) => {
    const result = encodeRating({ ...reference, timestamp });
    if (result.ok) throw new Error('encoded');
    expect(result.kind).toBe('schema');
    expect(result.errors).toEqual([
      { path: '/timestamp', expected: 'an integer > 0 up to 9007199254740991', received },
    ]);
  });

  it.prop(
    [
      validRating(),
      fc.oneof(
        fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
        fc.bigInt(2n ** 53n, 2n ** 63n - 1n).map(Number),
      ),
    ],
    { numRuns: RUNS },
  )('refuses every non-finite or unsafe timestamp with an error on timestamp alone', (event, timestamp) => {
    const result = encodeRating({ ...event, timestamp });
    expect(result.ok ? [] : result.errors.map(fieldOf)).toEqual(['timestamp']);
  });

  it.prop([validMetric(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY)], {
    numRuns: RUNS,
  })('refuses a non-finite metric value with an error on value alone', (event, value) => {
    const result = encodeMetric({ ...event, value });
    expect(result.ok ? [] : result.errors.map(fieldOf)).toEqual(['value']);
  });

  it('refuses a field the contract does not declare', () => {
    const result = encodeRating({ ...reference, source: 'web' } as RatingEvent);
    expect(result.ok ? [] : result.errors.map(fieldOf)).toEqual(['source']);
  });
});

/**
 * The classification an independent oracle predicts: size, then `isUtf8`, then `JSON.parse`, then shape.
 * Anything accepted must satisfy the strict schema (after a tolerant reader dropped unknown fields).
 */
function expectClassified(
  result: DecodeResult<unknown>,
  input: Uint8Array,
  maxBytes: number,
  schema: typeof RatingEvent | typeof MetricEvent,
): void {
  expect(typeof result.ok).toBe('boolean');
  if (result.ok) {
    expect(Value.Check(schema, result.value)).toBe(true);
    expect(Array.isArray(result.ignoredFields)).toBe(true);
    return;
  }
  expect(result.kind).toBe(predictKind(input, maxBytes));
  expect(result.message).not.toBe('');
  expect(result.errors.length > 0).toBe(result.kind === 'schema');
}

function predictKind(input: Uint8Array, maxBytes: number): DecodeFailureKind {
  if (input.byteLength === 0) return 'empty';
  if (input.byteLength > maxBytes) return 'too-large';
  if (!isUtf8(input)) return 'not-utf8';
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(input).toString('utf8'));
  } catch {
    return 'not-json';
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? 'schema' : 'not-object';
}
