// The rating event: one user's rating of one movie, as the MovieLens 20M dataset defines them.
import { type Static, Type } from '@sinclair/typebox';

/** Highest userId in MovieLens 20M. */
export const USER_ID_MAX = 138_493;
/**
 * Highest movieId in MovieLens 20M. The dataset has 27,278 movies, but their ids have gaps and run
 * up to 131262 (movies.csv): a 1..27278 range would refuse real ratings of recent movies.
 */
export const MOVIE_ID_MAX = 131_262;
/** Ratings run from 0.5 to 5.0 in half stars. */
export const RATING_MIN = 0.5;
/** Highest rating. */
export const RATING_MAX = 5;
/** Half-star grid of ratings. */
export const RATING_STEP = 0.5;
/** A Java long read by JavaScript must stay exact: larger timestamps are refused, never rounded. */
export const TIMESTAMP_MAX = Number.MAX_SAFE_INTEGER;
/** A rating event is ~80 bytes; anything past this is not a rating and is refused before parsing. */
export const RATING_MAX_BYTES = 1_024;

/** A rating event on the `ratings` topic. The producer is strict: no field other than these. */
export const RatingEvent = Type.Object(
  {
    userId: Type.Integer({ minimum: 1, maximum: USER_ID_MAX, description: 'MovieLens user id' }),
    movieId: Type.Integer({ minimum: 1, maximum: MOVIE_ID_MAX, description: 'MovieLens movie id' }),
    rating: Type.Number({
      minimum: RATING_MIN,
      maximum: RATING_MAX,
      multipleOf: RATING_STEP,
      description:
        'Stars, half-star steps; written with a decimal point (5.0), as a double; readers accept 5 too',
    }),
    timestamp: Type.Integer({
      exclusiveMinimum: 0,
      maximum: TIMESTAMP_MAX,
      description: 'When the rating was made, epoch milliseconds (a Java long)',
    }),
  },
  { $id: 'RatingEvent', title: 'RatingEvent', additionalProperties: false },
);
/** A rating event on the `ratings` topic. */
export type RatingEvent = Static<typeof RatingEvent>;
