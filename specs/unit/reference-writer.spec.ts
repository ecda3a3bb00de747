// Protects how our producers write ratings: as the reference pipeline's Python producer does
// (json.dumps of a float writes 5.0), so a Python reader that checks isinstance(rating, float) accepts
// every one, while every reader we ship keeps accepting the 5 that other writers send.
import { spawnSync } from 'node:child_process';
import { it as prop } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createEncoder } from '../../helpers/codec/encode.ts';
import { decodeRating, METRIC_CONTRACT, RATING_CONTRACT } from '../../helpers/codec/events.ts';
import { doubleLiteral } from '../../helpers/codec/serialize.ts';
import { randomRatings } from '../../helpers/sources/random-ratings.ts';
import { validMetric, validRating } from '../support/arbitraries.ts';
import { prerequisite } from '../support/prerequisite.ts';

const encodeRating = createEncoder(RATING_CONTRACT);
const encodeMetric = createEncoder(METRIC_CONTRACT);
const text = (result: ReturnType<typeof encodeRating>): string => {
  if (!result.ok) throw new Error(`refused: ${result.message}`);
  return result.bytes.toString('utf8');
};

const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const noPython = prerequisite({
  required: 'PYTHON_REQUIRED',
  specs: 'Python reader check',
  missing: python.status === 0 ? undefined : 'python3 is not on PATH',
});

describe('ratings as the reference producer writes them', () => {
  it('writes doubles with a decimal point and leaves other numbers as JavaScript writes them', () => {
    expect([5, 3, 4.5, 0.5, -0, 1e21, 1.5e-7].map(doubleLiteral)).toEqual([
      '5.0',
      '3.0',
      '4.5',
      '0.5',
      '0.0',
      '1e+21',
      '1.5e-7',
    ]);
  });

  prop.prop([validRating()], { numRuns: 1_000 })('writes every rating with its decimal point', (event) => {
    const written = text(encodeRating(event));
    expect(written).toMatch(/"rating":\d\.\d[,}]/);
    expect(JSON.parse(written)).toEqual(event);
  });

  prop.prop([validMetric()], { numRuns: 300 })('writes a metric value with its decimal point', (metric) => {
    const written = text(encodeMetric(metric));
    expect(written).toMatch(/"value":-?\d[\d.e+-]*[.e][\d+-]/);
    expect(JSON.parse(written)).toEqual(metric);
  });

  it('accepts the 5 other writers send, and our 5.0, as the same event', () => {
    const decode = decodeRating();
    const ours = decode(Buffer.from('{"userId":1,"movieId":2,"rating":5.0,"timestamp":3}'));
    const theirs = decode(Buffer.from('{"userId":1,"movieId":2,"rating":5,"timestamp":3}'));
    expect(ours).toEqual({
      ok: true,
      value: { userId: 1, movieId: 2, rating: 5, timestamp: 3 },
      ignoredFields: [],
    });
    expect(theirs).toEqual(ours);
  });

  it.skipIf(noPython !== undefined)(
    'reads back in Python as json.dumps writes it: rating a float, ids and timestamp ints, the same text',
    () => {
      const written = [...randomRatings(7, 2_000)].map((event) => text(encodeRating(event)));
      expect(written.filter((line) => /"rating":5\.0/.test(line)).length).toBeGreaterThan(0);
      const check = [
        'import json, sys',
        'bad = []',
        'lines = sys.stdin.read().splitlines()',
        'for line in lines:',
        '    event = json.loads(line)',
        "    kinds = (type(event['userId']), type(event['movieId']), type(event['rating']), type(event['timestamp']))",
        "    same = json.dumps(event, separators=(',', ':')) == line",
        '    if kinds != (int, int, float, int) or not same: bad.append(line)',
        "print(json.dumps({'read': len(lines), 'bad': bad[:5], 'badCount': len(bad)}))",
      ].join('\n');
      const run = spawnSync('python3', ['-c', check], { input: written.join('\n'), encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ read: written.length, bad: [], badCount: 0 });
    },
  );
});
