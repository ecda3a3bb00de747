// Protects the rating event contract: which record values the decoder accepts, which it refuses, and that
// every refusal names the broken fields with what was expected and what was sent.
import { it } from '@fast-check/vitest';
import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { RatingEvent } from '../../contracts/rating.ts';
import { createEncoder } from '../../helpers/codec/encode.ts';
import { decodeRating, RATING_CONTRACT } from '../../helpers/codec/events.ts';
import { type Breakage, ratingWithOneFieldBroken, validRating } from '../support/arbitraries.ts';
import { declaresAll, describeFixtureTable, expectRefusal, fieldOf, loadFixtures } from './fixture-table.ts';

const { valid, invalid } = loadFixtures('ratings');
const decode = decodeRating();
const tolerant = decodeRating({ unknownFields: 'ignore' });
const encode = createEncoder(RATING_CONTRACT);
const bytes = (text: string) => Buffer.from(text, 'utf8');
const RUNS = 1_000;

describeFixtureTable('rating event', { valid, invalid }, decode);

describe('rating event refusals', () => {
  it('explain the reference invalid example in one full sentence per field', () => {
    const result = decode(bytes('{"userId": -1, "movieId": "abc", "rating": 6.0, "timestamp": "2024"}'));
    if (result.ok) throw new Error('accepted');
    const sentences = [
      'userId: expected an integer from 1 to 138493, received -1',
      'movieId: expected an integer from 1 to 131262, received the string "abc"',
      'rating: expected a number from 0.5 to 5 in steps of 0.5, received 6.0',
      'timestamp: expected an integer > 0 up to 9007199254740991, received the string "2024"',
    ];
    expect(result.kind).toBe('schema');
    expect(result.message.split('; ')).toEqual(sentences);
    expect(result.errors).toHaveLength(4);
  });

  it('quote an integer past 2^53 with the digits that were sent, not the rounded double', () => {
    const result = decode(
      bytes('{"userId": 1, "movieId": 31, "rating": 2.5, "timestamp": 9007199254740993}'),
    );
    if (result.ok) throw new Error('accepted');
    expect(result.errors).toEqual([
      { path: '/timestamp', expected: 'an integer > 0 up to 9007199254740991', received: '9007199254740993' },
    ]);
  });

  it('refuse an integer field written as a float literal, which a Java long reader would refuse', () => {
    const result = decode(bytes('{"userId": 1, "movieId": 31, "rating": 2.5, "timestamp": 1.7e12}'));
    if (result.ok) throw new Error('accepted');
    expect(result.message).toBe(
      'timestamp: expected an integer literal (no fraction, no exponent), received 1.7e12',
    );
  });
});

describe('rating event read by a tolerant reader', () => {
  const droppable = invalid.filter((fixture) => fixture.ignoredFields !== undefined);
  const otherwiseBroken = invalid.filter((fixture) => declaresAll(RatingEvent, fixture));

  it.each(droppable)('accepts $name, listing the dropped fields', (fixture) => {
    const result = tolerant(bytes(fixture.raw));
    if (!result.ok) throw new Error(result.message);
    expect(result.ignoredFields).toEqual(fixture.ignoredFields);
    expect(Object.keys(result.value).sort()).toEqual(Object.keys(RatingEvent.properties).sort());
    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
  });

  it.each(otherwiseBroken)('still refuses $name', (fixture) => {
    expectRefusal(tolerant(bytes(fixture.raw)), fixture);
  });
});

describe('rating event properties', () => {
  it.prop([validRating()], { numRuns: RUNS })(
    'every valid rating satisfies the schema, encodes, and decodes back to an equal value',
    (event) => {
      expect(Value.Check(RatingEvent, event)).toBe(true);
      const encoded = encode(event);
      if (!encoded.ok) throw new Error(encoded.message);
      expect(decode(encoded.bytes)).toStrictEqual({ ok: true, value: event, ignoredFields: [] });
    },
  );

  it.prop([ratingWithOneFieldBroken()], { numRuns: RUNS })(
    'a rating with one field broken is refused naming that field and no other',
    ({ event, field }) => {
      const result = decode(bytes(JSON.stringify(event)));
      if (result.ok) throw new Error(`accepted with ${field} broken`);
      expect(result.kind).toBe('schema');
      expect(result.errors.map(fieldOf)).toEqual([field]);
      expect(result.message).toMatch(new RegExp(`^${field}: expected .+, received .+$`, 's'));
      // The producer's encoder must refuse what the consumer's decoder refuses.
      const encoded = encode(event as RatingEvent);
      expect(encoded.ok ? [] : encoded.errors.map(fieldOf)).toEqual([field]);
    },
  );

  it('the broken-rating generator reaches every breakage the schema allows for every field', () => {
    const seen = new Set(
      fc
        .sample(ratingWithOneFieldBroken(), { numRuns: 3_000, seed: 42 })
        .map((b) => `${b.field}: ${b.breakage}`),
    );
    const expected: [string, Breakage[]][] = [
      [
        'userId',
        ['wrong type', 'below minimum', 'above maximum', 'not an integer', 'unsafe integer', 'missing'],
      ],
      [
        'movieId',
        ['wrong type', 'below minimum', 'above maximum', 'not an integer', 'unsafe integer', 'missing'],
      ],
      ['rating', ['wrong type', 'below minimum', 'above maximum', 'off grid', 'missing']],
      // Its maximum is the largest safe integer, so "above maximum" is exactly "unsafe integer".
      ['timestamp', ['wrong type', 'below minimum', 'not an integer', 'unsafe integer', 'missing']],
    ];
    for (const [field, breakages] of expected) {
      for (const breakage of breakages)
        expect(seen, `${field}: ${breakage}`).toContain(`${field}: ${breakage}`);
    }
    expect([...seen].some((entry) => entry.endsWith(': unknown field'))).toBe(true);
  });

  it('the generators replay the same events for the same seed', () => {
    for (const generator of [validRating, ratingWithOneFieldBroken] as (() => fc.Arbitrary<unknown>)[]) {
      const run = () => fc.sample(generator(), { numRuns: 200, seed: 7 });
      expect(run()).toEqual(run());
    }
  });
});
