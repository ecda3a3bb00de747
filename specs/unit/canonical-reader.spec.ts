// Protects the decoder's byte-level reader (canonical-reader.ts): whatever literals a writer uses for
// each rating field, reading from the bytes must give the full path's verdict, value and messages, and
// it must never read a value the full path would refuse or report differently.
import { it } from '@fast-check/vitest';
import { Type } from '@sinclair/typebox';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { RatingEvent } from '../../contracts/rating.ts';
import { createCanonicalReader } from '../../helpers/codec/canonical-reader.ts';
import { decodeRating } from '../../helpers/codec/events.ts';

const decoders = { strict: decodeRating(), tolerant: decodeRating({ unknownFields: 'ignore' }) };
const names = Object.keys(RatingEvent.properties);

/** Literals a writer may put in a number field: canonical, unusual but valid JSON, and not JSON at all. */
const literal = fc.oneof(
  fc.integer({ min: -5, max: 140_000 }).map(String),
  fc.constantFrom(
    '0',
    '-0',
    '5.0',
    '4.50',
    '0.5',
    '1.0',
    '1e0',
    '1E3',
    '2.5e0',
    '01',
    '-',
    '.5',
    '5.',
    '1.7e12',
  ),
  fc.constantFrom('9007199254740991', '9007199254740992', '9007199254740993', '12345678901234567890'),
  fc.constantFrom('1\u0661', '"5"', 'null', 'true', '1 ', ' 1', '0.0000000000000000000000005'),
  fc.bigInt({ min: 1n, max: 2n ** 60n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
);

const text = fc
  .record({
    literals: fc.array(literal, { minLength: names.length, maxLength: names.length }),
    extra: fc.constantFrom('', ',"x":1', ',"userId":1'),
    tail: fc.constantFrom('}', '} ', '}}', ''),
  })
  .map(
    ({ literals, extra, tail }) =>
      `{${names.map((name, i) => `"${name}":${literals[i]}`).join(',')}${extra}${tail}`,
  );

/** A not-JSON message names a position, which the added space shifts: compare those by kind only. */
const comparable = (result: ReturnType<typeof decoders.strict>) =>
  !result.ok && result.kind === 'not-json' ? { ok: false, kind: result.kind } : result;

describe('canonical reader', () => {
  for (const [name, decode] of Object.entries(decoders)) {
    it.prop([text], { numRuns: 2_000 })(
      `${name}: bytes read directly get the full path's verdict`,
      (json) => {
        // A leading space is valid JSON the reader never reads: it forces the full path.
        expect(comparable(decode(Buffer.from(json, 'utf8')))).toEqual(
          comparable(decode(Buffer.from(` ${json}`, 'utf8'))),
        );
      },
    );
  }

  it('reads only ASCII: a non-ASCII byte goes the full way, which checks UTF-8', () => {
    const read = createCanonicalReader(RatingEvent)!;
    const bytes = Buffer.from('{"userId":1,"movieId":2,"rating":5.0,"timestamp":3}', 'latin1');
    expect(read(bytes)).toEqual({ userId: 1, movieId: 2, rating: 5, timestamp: 3 });
    expect(read(Buffer.concat([bytes.subarray(0, -1), Buffer.from([0xc3, 0x7d])]))).toBeUndefined();
    expect(
      decoders.strict(Buffer.from([...bytes.subarray(0, 10), 0xff, ...bytes.subarray(11)])),
    ).toMatchObject({
      ok: false,
      kind: 'not-utf8',
    });
  });

  it('leaves digits beyond 2^53 to the full path, which reports them as written', () => {
    const result = decoders.strict(
      Buffer.from('{"userId":1,"movieId":2,"rating":5.0,"timestamp":9007199254740993}', 'utf8'),
    );
    expect(result).toMatchObject({
      ok: false,
      errors: [{ path: '/timestamp', received: '9007199254740993' }],
    });
  });

  it('has no reader for a schema with a string or an optional field', () => {
    expect(createCanonicalReader(Type.Object({ name: Type.String() }))).toBeUndefined();
    expect(createCanonicalReader(Type.Object({ n: Type.Optional(Type.Integer()) }))).toBeUndefined();
  });
});
