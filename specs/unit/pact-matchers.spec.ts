// Protects the Pact matchers read off the TypeBox schemas: each kind of field gets the matcher that accepts
// every valid value (number, not decimal, for the rating 5), the examples come back unchanged, no matcher
// asks Pact for generated (run-dependent) values, and an unknown schema kind is refused, not loosened.
import { MatchersV3 } from '@pact-foundation/pact';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { MetricEvent } from '../../contracts/metric.ts';
import { METRIC_EXAMPLE, matchersFor, RATING_EXAMPLE } from '../../contracts/pact.ts';
import { RatingEvent } from '../../contracts/rating.ts';

const TAGGED_METRIC = { ...METRIC_EXAMPLE, tags: { runId: 'r-1', topic: 'ratings' } };

describe('Pact matchers read off the schemas', () => {
  it('match ids and timestamps as integers and the rating as any number', () => {
    expect(matchersFor(RatingEvent, RATING_EXAMPLE)).toEqual({
      'pact:matcher:type': 'type',
      value: {
        userId: { 'pact:matcher:type': 'integer', value: RATING_EXAMPLE.userId },
        movieId: { 'pact:matcher:type': 'integer', value: RATING_EXAMPLE.movieId },
        rating: { 'pact:matcher:type': 'number', value: RATING_EXAMPLE.rating },
        timestamp: { 'pact:matcher:type': 'integer', value: RATING_EXAMPLE.timestamp },
      },
    });
  });

  it('match patterned strings by their pattern, units by name, nested objects by shape, tags by value type', () => {
    const matchers = matchersFor(MetricEvent, TAGGED_METRIC) as { value: Record<string, unknown> };
    expect(matchers.value).toMatchObject({
      name: { 'pact:matcher:type': 'regex', regex: MetricEvent.properties.name.pattern },
      unit: { 'pact:matcher:type': 'regex', regex: '^(?:messages/s|MB/s|ms|count|ratio|rmse|stars)$' },
      window: { 'pact:matcher:type': 'type', value: { startMs: { 'pact:matcher:type': 'integer' } } },
      tags: {
        'pact:matcher:type': 'values',
        value: { runId: { 'pact:matcher:type': 'type', value: 'r-1' } },
      },
    });
  });

  it.each([
    { name: 'rating', schema: RatingEvent, example: RATING_EXAMPLE },
    { name: 'metric without tags', schema: MetricEvent, example: METRIC_EXAMPLE },
  ])('give the $name example back unchanged and ask for no generated values', ({ schema, example }) => {
    const matchers = matchersFor(schema, example);
    expect(MatchersV3.reify(matchers)).toEqual(example);
    expect(JSON.stringify(matchers)).not.toContain('pact:generator:type');
  });

  it('leave out an optional field the example omits, and refuse one that omits a required field', () => {
    expect((matchersFor(MetricEvent, METRIC_EXAMPLE) as { value: object }).value).not.toHaveProperty('tags');
    const { movieId: _, ...withoutMovieId } = RATING_EXAMPLE;
    expect(() => matchersFor(RatingEvent, withoutMovieId)).toThrow(
      '$.movieId: the example omits a required field',
    );
  });

  it('refuse a schema kind they do not know instead of matching anything', () => {
    const schema = Type.Object({ ids: Type.Array(Type.Integer()) });
    expect(() => matchersFor(schema, { ids: [1] })).toThrow(
      '$.ids: no Pact matcher for a schema of kind Array',
    );
  });
});
