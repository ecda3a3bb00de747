// Valid-looking rating events from a seed: the load the produce command sends when no file is given.
import { MOVIE_ID_MAX, RATING_STEP, type RatingEvent, USER_ID_MAX } from '../../contracts/rating.ts';
import { integerBetween, mulberry32 } from './prng.ts';

// Roughly the shape of MovieLens 20M (4.0 and 3.0 dominate, half stars are rarer), so the
// consumer's distribution looks like the real stream. Weights for 0.5, 1.0, ... 5.0.
const RATING_WEIGHTS = [1, 3, 1, 7, 4, 21, 11, 28, 8, 16];
const CUMULATIVE = RATING_WEIGHTS.map((_, index) =>
  RATING_WEIGHTS.slice(0, index + 1).reduce((a, b) => a + b),
);
const TOTAL_WEIGHT = CUMULATIVE.at(-1)!;

// The span of MovieLens 20M ratings, in seconds: 1995-01-09 to 2015-03-31. A fixed span, never the
// clock, so a seed replays byte for byte.
const FIRST_RATING_S = 789_652_009;
const LAST_RATING_S = 1_427_784_002;

/** `count` rating events (Infinity for an endless stream) drawn from `seed`; lazily, never buffered. */
export function* randomRatings(seed: number, count: number): Generator<RatingEvent> {
  const random = mulberry32(seed);
  for (let made = 0; made < count; made++) {
    const userId = integerBetween(random, 1, USER_ID_MAX);
    const movieId = integerBetween(random, 1, MOVIE_ID_MAX);
    const pick = random() * TOTAL_WEIGHT;
    const rating = (CUMULATIVE.findIndex((bound) => pick < bound) + 1) * RATING_STEP;
    // MovieLens timestamps are whole seconds; events carry milliseconds.
    const timestamp = integerBetween(random, FIRST_RATING_S, LAST_RATING_S) * 1000;
    yield { userId, movieId, rating, timestamp };
  }
}
