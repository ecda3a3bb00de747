// Protects what a person reads after a check against the data already there: the totals, each reason
// with its count and first coordinates, how an even sample is shared among partitions, and verify's verdict
// on the retained ratings.
import { describe, expect, it } from 'vitest';
import {
  formatRetainedScan,
  type RetainedScan,
  sampleQuotas,
} from '../../helpers/compat/retained-records.ts';
import { retainedOutcome } from '../../helpers/flows/verify-flow.ts';

const scan = (overrides: Partial<RetainedScan> = {}): RetainedScan => ({
  topic: 'ratings',
  scanned: 1_000_000,
  refused: 791_843,
  accepted: 208_157,
  partitions: [
    { partition: 0, from: '0', to: '333384', read: 333_384 },
    { partition: 1, from: '12', to: '334879', read: 334_867 },
  ],
  byReason: [
    {
      path: '/movieId',
      reason: 'movieId: expected an integer from 1 to 27278',
      count: 791_840,
      examples: [
        { partition: 0, offset: '1' },
        { partition: 1, offset: '15' },
      ],
    },
    { path: '/', reason: 'value: not JSON', count: 3, examples: [{ partition: 1, offset: '40' }] },
  ],
  elapsedMs: 2_568,
  recordsPerSecond: 389_441,
  ...overrides,
});

describe('retained records report', () => {
  it('states the totals, the partitions read and each reason with its first coordinates', () => {
    expect(formatRetainedScan(scan()).split('\n')).toEqual([
      'ratings: 1,000,000 records read, 791,843 refused (79.18%), 208,157 accepted',
      '  partitions: p0 0..333384 (333,384), p1 12..334879 (334,867)',
      '  refused by reason:',
      '    791,840  movieId: expected an integer from 1 to 27278  e.g. p0@1, p1@15',
      '    3  value: not JSON  e.g. p1@40',
      '  2.6 s, 389,441 records/s',
    ]);
  });

  it('lists no reasons when nothing was refused', () => {
    const text = formatRetainedScan(scan({ refused: 0, accepted: 1_000_000, byReason: [] }));
    expect(text).toContain('1,000,000 records read, 0 refused (0%), 1,000,000 accepted');
    expect(text).not.toContain('refused by reason');
  });

  it('says so when the topic held nothing to read', () => {
    const text = formatRetainedScan(
      scan({ scanned: 0, refused: 0, accepted: 0, partitions: [], byReason: [], recordsPerSecond: 0 }),
    );
    expect(text.split('\n').slice(0, 2)).toEqual([
      'ratings: 0 records read, 0 refused, 0 accepted',
      '  partitions: none',
    ]);
  });
});

describe('retained records sample', () => {
  it('shares the sample evenly, giving what a short partition cannot use to the others', () => {
    expect(sampleQuotas([100, 100, 100], 31)).toEqual([11, 10, 10]);
    expect(sampleQuotas([2, 100, 100], 30)).toEqual([2, 14, 14]);
    expect(sampleQuotas([0, 5, 100], 1_000)).toEqual([0, 5, 100]);
    expect(sampleQuotas([7, 8], undefined)).toEqual([7, 8]);
    expect(sampleQuotas([7, 8], 0)).toEqual([0, 0]);
  });
});

describe("verify's retained ratings step", () => {
  it('fails when the working contract refuses any retained record, naming the reason and the full check', () => {
    const outcome = retainedOutcome(scan());
    expect(outcome.ok).toBe(false);
    expect(outcome.details).toContain('    3  value: not JSON  e.g. p1@40');
    expect(outcome.details.at(-1)).toContain('contracts check --against-topic');
  });

  it('passes when none is refused, and on a topic that holds nothing yet', () => {
    expect(retainedOutcome(scan({ refused: 0, accepted: 1_000_000, byReason: [] })).ok).toBe(true);
    expect(
      retainedOutcome(scan({ scanned: 0, refused: 0, accepted: 0, partitions: [], byReason: [] })),
    ).toEqual({ ok: true, details: ['ratings: holds no records yet'] });
  });
});
