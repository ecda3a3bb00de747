// Protects what the Spark recommender relies on in a `ratings` record: the pact it hands our provider
// (fields by type, topic, key, content type), written from the release it is pinned at, and, where Pact
// matchers cannot reach (the half-star grid, id ranges), its own handler, which decodes with the reader
// built from that release, open like Spark's from_json.
import { test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { RATING_EXAMPLE, SPARK_RECOMMENDER } from '../../contracts/pact.ts';
import { MOVIE_ID_MAX, USER_ID_MAX } from '../../contracts/rating.ts';
import { RATINGS_TOPIC } from '../../contracts/topics.ts';
import { ratingWithOneFieldBroken, validRating } from '../support/arbitraries.ts';
import { handleRatingMessage, MessageRejected } from '../support/pact/consumers.ts';
import { pinnedInteraction, SPARK_RATING } from '../support/pact/pinned-interaction.ts';
import { produce, RATING_RECIPE } from '../support/pact/providers.ts';
import { installPact, writePact } from '../support/pact/write-pact.ts';
import { expectDeterministicPact } from '../support/pact-file.ts';

/** The Spark pact: one rating, matched field by field with matchers read off the pinned release's schema. */
const ratingInteraction = pinnedInteraction(SPARK_RATING);

/** Raw record values: the handler must judge bytes the producer would never write. */
const record = (value: Record<string, unknown>, key = String(value.userId)) => ({
  value: JSON.stringify(value),
  key,
  topic: RATINGS_TOPIC.name,
});

describe('spark-recommender pact with ratings-kafka', () => {
  it('expects a rating keyed by its userId on ratings, which the Spark handler accepts', async () => {
    installPact(SPARK_RECOMMENDER, await writePact(SPARK_RECOMMENDER, ratingInteraction));
  });

  it('is written byte-identical on every run: fixed examples, no timestamps, sorted keys', async () => {
    const first = await writePact(SPARK_RECOMMENDER, ratingInteraction);
    const second = await writePact(SPARK_RECOMMENDER, ratingInteraction);
    expectDeterministicPact(first, second);
  });
});

describe('Spark rating handler', () => {
  test.prop([validRating()], { numRuns: 500 })(
    'accepts every rating the producer writes, with the userId as key',
    (event) => {
      const produced = produce(RATING_RECIPE, event);
      expect(handleRatingMessage(produced)).toEqual(event);
    },
  );

  it('accepts the whole-star rating as our producer writes it (5.0) and as other writers send it (5)', () => {
    const produced = produce(RATING_RECIPE, { ...RATING_EXAMPLE, rating: 5.0 });
    expect(produced.value.toString()).toContain('"rating":5.0,');
    expect(handleRatingMessage(produced).rating).toBe(5);
    const plain = { ...produced, value: Buffer.from(produced.value.toString().replace('5.0', '5')) };
    expect(plain.value.toString()).toContain('"rating":5,');
    expect(handleRatingMessage(plain).rating).toBe(5);
  });

  it.each([
    {
      name: 'a rating off the half-star grid (4.25)',
      value: { ...RATING_EXAMPLE, rating: 4.25 },
      field: 'rating',
    },
    { name: 'a rating written as a string', value: { ...RATING_EXAMPLE, rating: '4.5' }, field: 'rating' },
    { name: 'userId 0', value: { ...RATING_EXAMPLE, userId: 0 }, field: 'userId' },
    {
      name: 'a userId past MovieLens 20M',
      value: { ...RATING_EXAMPLE, userId: USER_ID_MAX + 1 },
      field: 'userId',
    },
    {
      name: 'a movieId past MovieLens 20M',
      value: { ...RATING_EXAMPLE, movieId: MOVIE_ID_MAX + 1 },
      field: 'movieId',
    },
    {
      name: 'a missing movieId (renamed movieID)',
      value: { ...RATING_EXAMPLE, movieId: undefined, movieID: 31 },
      field: 'movieId',
    },
  ])('refuses $name, naming the field', ({ value, field }) => {
    expect(() => handleRatingMessage(record(value))).toThrow(new RegExp(`\\b${field}: expected`));
  });

  it('refuses a record whose key is not the userId, since Spark partitions by it', () => {
    expect(() => handleRatingMessage(record(RATING_EXAMPLE, '31'))).toThrow(
      'key must be the userId "1", found "31"',
    );
    expect(() => handleRatingMessage({ ...record(RATING_EXAMPLE), key: null })).toThrow('found no key');
  });

  test.prop([ratingWithOneFieldBroken()], { numRuns: 500 })(
    'refuses any rating with one field out of its domain, naming it; ignores unknown fields like from_json',
    ({ event, field, breakage }) => {
      const message = record(event, String(event.userId));
      if (breakage === 'unknown field') {
        expect(handleRatingMessage(message)).not.toHaveProperty(field);
        return;
      }
      // The key follows a broken userId as the producer would write it, so only the value is at fault.
      expect(() => handleRatingMessage(message)).toThrow(MessageRejected);
      expect(() => handleRatingMessage(message)).toThrow(`${field}: expected`);
    },
  );
});
