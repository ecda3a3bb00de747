// Protects what the CLI reads before any broker is involved: durations, MovieLens lines, seeded ratings,
// the pacing of --rate, and flag errors that name the flag, all of them at once.
import { describe, expect, it } from 'vitest';
import { RatingEvent } from '../../contracts/rating.ts';
import { integerFlag, parseCommandArgs } from '../../helpers/cli/args.ts';
import { parseDuration } from '../../helpers/cli/duration.ts';
import { UsageError } from '../../helpers/cli/exit-codes.ts';
import { decodeRating } from '../../helpers/codec/events.ts';
import { parseRatingLine } from '../../helpers/sources/movielens-csv.ts';
import { randomRatings } from '../../helpers/sources/random-ratings.ts';
import { throttle } from '../../helpers/sources/throttle.ts';

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5s', 1_500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['45', 45_000],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'soon', '5 parsecs', '-1s', '1d'])('refuses %j, naming the accepted forms', (text) => {
    expect(() => parseDuration(text)).toThrow(/expected e\.g\. 500ms, 30s, 2m or 1h/);
  });
});

describe('MovieLens ratings lines', () => {
  it('reads seconds as milliseconds and half stars as numbers', () => {
    expect(parseRatingLine('1,2,3.5,1112486027')).toEqual({
      userId: 1,
      movieId: 2,
      rating: 3.5,
      timestamp: 1_112_486_027_000,
    });
    expect(parseRatingLine('7,32,4.0,974820889')).toMatchObject({ rating: 4 });
  });

  it.each([
    ['1,2,3.5', 'expected 4 fields'],
    ['1,2,3.5,1112486027,x', 'expected 4 fields'],
    ['abc,2,3.5,1112486027', 'userId "abc" is not a whole number'],
    ['1,-2,3.5,1112486027', 'movieId "-2" is not a whole number'],
    ['1,2,three,1112486027', 'rating "three" is not a number'],
    ['1,2,3.5,yesterday', 'timestamp "yesterday" is not whole seconds'],
    ['1,2,3.5,99999999999999', 'too large to be exact in milliseconds'],
  ])('refuses %j with a reason (%s)', (line, reason) => {
    expect(parseRatingLine(line)).toContain(reason);
  });

  it('leaves ranges to the contract: a rating of 6 parses, the producer refuses it', () => {
    expect(parseRatingLine('1,2,6.0,1112486027')).toMatchObject({ rating: 6 });
  });
});

describe('seeded random ratings', () => {
  it('replays the same events for the same seed and differs for another', () => {
    expect([...randomRatings(42, 100)]).toEqual([...randomRatings(42, 100)]);
    expect([...randomRatings(42, 100)]).not.toEqual([...randomRatings(43, 100)]);
  });

  it('makes only events the strict decoder accepts, spread over the whole userId range', () => {
    const decode = decodeRating();
    const events = [...randomRatings(1, 20_000)];
    for (const event of events)
      expect(decode(Buffer.from(JSON.stringify(event))).ok, JSON.stringify(event)).toBe(true);
    const users = events.map((event) => event.userId);
    expect(Math.min(...users)).toBeLessThan(1_000);
    expect(Math.max(...users)).toBeGreaterThan(RatingEvent.properties.userId.maximum! - 1_000);
  });
});

describe('--rate pacing', () => {
  it('never lets events through faster than the rate', async () => {
    const started = performance.now();
    let count = 0;
    // The bucket starts with one token, so 60 events at 500/s need 59 refills of 2 ms each: >= 118 ms.
    for await (const _ of throttle(
      Array.from({ length: 60 }, (_, index) => index),
      500,
    ))
      count++;
    expect(count).toBe(60);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });
});

describe('flag errors', () => {
  /** The usage error a command line gives, or undefined when it has none. */
  const problems = (argv: string[], options: Parameters<typeof parseCommandArgs>[2]): string | undefined => {
    const { usage } = parseCommandArgs('produce', argv, options);
    try {
      usage.done();
      return undefined;
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    }
  };

  it('names an unknown flag and points at the command help', () => {
    expect(problems(['--bogus'], {})).toBe('unknown flag --bogus; see `ratings-kafka produce --help`');
  });

  it('names a flag whose value is missing, a flag given as a value, and a value given to a switch', () => {
    const options = { count: { type: 'string' }, json: { type: 'boolean' } } as const;
    expect(problems(['--count'], options)).toMatch(/^--count needs a value;/);
    expect(problems(['--count', '--json'], options)).toMatch(/^--count needs a value, got the flag --json/);
    expect(problems(['--json=yes'], options)).toMatch(/^--json takes no value, got "yes";/);
    expect(() => integerFlag('count', '1e3')).toThrow('--count must be a whole number >= 1, got "1e3"');
  });

  it('reads a negative number as a value for the flag to judge, not as a missing value', () => {
    const { values, usage } = parseCommandArgs('produce', ['--count', '-5'], { count: { type: 'string' } });
    expect(values.count).toBe('-5');
    expect(() => usage.done()).not.toThrow();
    expect(() => integerFlag('count', '-5')).toThrow('--count must be a whole number >= 1, got "-5"');
  });

  it('lists every problem of one command line at once', () => {
    const options = { count: { type: 'string' }, json: { type: 'boolean' } } as const;
    expect(problems(['--bogus', '--json=1', 'extra', '--count'], options)).toBe(
      [
        '4 problems:',
        '  - unknown flag --bogus',
        '  - --json takes no value, got "1"',
        '  - --count needs a value',
        '  - unexpected argument extra',
        'see `ratings-kafka produce --help`',
      ].join('\n'),
    );
  });
});
