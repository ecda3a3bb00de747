// Protects what the metrics dashboard relies on in a `metrics` record: the pact it hands our provider
// (fields by type, units by name, topic, key, content type), written from the release it is pinned at,
// and, beyond what matchers say (length limits, window order, tag names, unknown fields), its own handler,
// the strict decoder built from that release.
import { test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { METRIC_EXAMPLE, METRICS_DASHBOARD } from '../../contracts/pact.ts';
import { METRICS_TOPIC } from '../../contracts/topics.ts';
import { metricWithOneFieldBroken, validMetric } from '../support/arbitraries.ts';
import { handleMetricMessage, MessageRejected } from '../support/pact/consumers.ts';
import { DASHBOARD_METRIC, pinnedInteraction } from '../support/pact/pinned-interaction.ts';
import { METRIC_RECIPE, produce } from '../support/pact/providers.ts';
import { installPact, writePact } from '../support/pact/write-pact.ts';
import { expectDeterministicPact } from '../support/pact-file.ts';

/** The dashboard pact: one metric, matched field by field with matchers read off the pinned release's schema. */
const metricInteraction = pinnedInteraction(DASHBOARD_METRIC);

/** Raw record values: the handler must judge bytes the publisher would never write. */
const record = (value: Record<string, unknown>, key = String(value.source)) => ({
  value: JSON.stringify(value),
  key,
  topic: METRICS_TOPIC.name,
});

describe('metrics-dashboard pact with ratings-kafka', () => {
  it('expects a metric keyed by its source on metrics, which the dashboard handler accepts', async () => {
    installPact(METRICS_DASHBOARD, await writePact(METRICS_DASHBOARD, metricInteraction));
  });

  it('is written byte-identical on every run: fixed examples, no timestamps, sorted keys', async () => {
    const first = await writePact(METRICS_DASHBOARD, metricInteraction);
    const second = await writePact(METRICS_DASHBOARD, metricInteraction);
    expectDeterministicPact(first, second);
  });
});

describe('dashboard metric handler', () => {
  test.prop([validMetric()], { numRuns: 500 })(
    'accepts every metric the publisher writes, with the source as key',
    (event) => {
      expect(handleMetricMessage(produce(METRIC_RECIPE, event))).toEqual(event);
    },
  );

  it.each([
    { name: 'a unit no dashboard renders', value: { ...METRIC_EXAMPLE, unit: 'furlongs' }, field: 'unit' },
    {
      name: 'a name that is not dotted lower case',
      value: { ...METRIC_EXAMPLE, name: 'Producer Rate' },
      field: 'name',
    },
    { name: 'a value written as a string', value: { ...METRIC_EXAMPLE, value: '1250.5' }, field: 'value' },
    {
      name: 'a window that ends before it starts',
      value: { ...METRIC_EXAMPLE, window: { startMs: 1_700_000_001_000, endMs: 1_700_000_000_000 } },
      field: 'window.endMs',
    },
    {
      name: 'a tag name starting with a digit',
      value: { ...METRIC_EXAMPLE, tags: { '1st': 'x' } },
      field: 'tags.1st',
    },
  ])('refuses $name, naming the field', ({ value, field }) => {
    expect(() => handleMetricMessage(record(value))).toThrow(`${field}: expected`);
  });

  it('refuses a record whose key is not the source', () => {
    expect(() => handleMetricMessage(record(METRIC_EXAMPLE, 'consumer'))).toThrow(
      'key must be the source "producer", found "consumer"',
    );
  });

  test.prop([metricWithOneFieldBroken()], { numRuns: 500 })(
    'refuses any metric with one field out of its domain or unknown to its release, naming it (a strict reader)',
    ({ event, field }) => {
      const message = record(event, String(event.source));
      expect(() => handleMetricMessage(message)).toThrow(MessageRejected);
      expect(() => handleMetricMessage(message)).toThrow(field);
    },
  );
});
