// Protects the metric event contract: finite values, known units, a window that does not run backwards,
// and refusals that name each broken field, nested ones included.
import { it } from '@fast-check/vitest';
import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { MetricEvent, metricInvariants } from '../../contracts/metric.ts';
import { createEncoder } from '../../helpers/codec/encode.ts';
import { decodeMetric, METRIC_CONTRACT } from '../../helpers/codec/events.ts';
import { metricWithOneFieldBroken, validMetric } from '../support/arbitraries.ts';
import { declaresAll, describeFixtureTable, expectRefusal, fieldOf, loadFixtures } from './fixture-table.ts';

const { valid, invalid } = loadFixtures('metrics');
const decode = decodeMetric();
const tolerant = decodeMetric({ unknownFields: 'ignore' });
const encode = createEncoder(METRIC_CONTRACT);
const bytes = (text: string) => Buffer.from(text, 'utf8');
const RUNS = 1_000;

describeFixtureTable('metric event', { valid, invalid }, decode);

describe('metric event refusals', () => {
  it('say a value must be finite when JSON overflowed it to Infinity', () => {
    const raw = valid[0]!.raw.replace('"value": 1250.5', '"value": 1e400');
    const result = decode(bytes(raw));
    if (result.ok) throw new Error('accepted');
    expect(result.message).toBe('value: expected a finite number, received 1e400');
  });

  it('report a window that ends before it starts against the start it was given', () => {
    const raw = valid[0]!.raw.replace('"endMs": 1700000001000', '"endMs": 1699999999999');
    const result = decode(bytes(raw));
    if (result.ok) throw new Error('accepted');
    expect(result.message).toBe(
      'window.endMs: expected >= window.startMs (1700000000000), received 1699999999999',
    );
  });
});

describe('metric event read by a tolerant reader', () => {
  const droppable = invalid.filter((fixture) => fixture.ignoredFields !== undefined);
  const otherwiseBroken = invalid.filter((fixture) => declaresAll(MetricEvent, fixture));

  it.each(droppable)('accepts $name, listing the dropped fields', (fixture) => {
    const result = tolerant(bytes(fixture.raw));
    if (!result.ok) throw new Error(result.message);
    expect(result.ignoredFields).toEqual(fixture.ignoredFields);
    for (const field of fixture.ignoredFields ?? []) expect(result.value).not.toHaveProperty(field);
  });

  it.each(otherwiseBroken)('still refuses $name', (fixture) => {
    expectRefusal(tolerant(bytes(fixture.raw)), fixture);
  });
});

describe('metric event properties', () => {
  it.prop([validMetric()], { numRuns: RUNS })(
    'every valid metric satisfies schema and invariants, encodes, and decodes back to an equal value',
    (event) => {
      expect(Value.Check(MetricEvent, event)).toBe(true);
      expect(metricInvariants(event)).toEqual([]);
      const encoded = encode(event);
      if (!encoded.ok) throw new Error(encoded.message);
      expect(decode(encoded.bytes)).toStrictEqual({ ok: true, value: event, ignoredFields: [] });
    },
  );

  it.prop([metricWithOneFieldBroken()], { numRuns: RUNS })(
    'a metric with one field broken, nested or not, is refused naming that field and no other',
    ({ event, field }) => {
      const result = decode(bytes(JSON.stringify(event)));
      if (result.ok) throw new Error(`accepted with ${field} broken`);
      expect(result.kind).toBe('schema');
      expect(result.errors.map(fieldOf)).toEqual([field]);
    },
  );

  it.prop([validMetric().filter((event) => event.window.startMs < event.window.endMs)], { numRuns: RUNS })(
    'a window turned backwards is refused on window.endMs alone',
    (event) => {
      const backwards = { ...event, window: { startMs: event.window.endMs, endMs: event.window.startMs } };
      const result = decode(bytes(JSON.stringify(backwards)));
      if (result.ok) throw new Error('accepted a backwards window');
      expect(result.errors).toEqual([
        {
          path: '/window/endMs',
          expected: `>= window.startMs (${event.window.endMs})`,
          received: String(event.window.startMs),
        },
      ]);
    },
  );

  it('the valid-metric generator reaches windows of zero length and events with and without tags', () => {
    const sample = fc.sample(validMetric(), { numRuns: 2_000, seed: 42 });
    expect(sample.some((event) => event.window.startMs === event.window.endMs)).toBe(true);
    expect(sample.some((event) => event.tags === undefined)).toBe(true);
    expect(sample.some((event) => Object.keys(event.tags ?? {}).length > 1)).toBe(true);
  });

  it('the generators replay the same events for the same seed', () => {
    for (const generator of [validMetric, metricWithOneFieldBroken] as (() => fc.Arbitrary<unknown>)[]) {
      const run = () => fc.sample(generator(), { numRuns: 200, seed: 7 });
      expect(run()).toEqual(run());
    }
  });
});
