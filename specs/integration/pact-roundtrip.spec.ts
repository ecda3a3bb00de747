// Protects the link between the pacts and the broker: what our real producers put on Kafka, read back from
// the broker, is byte for byte what provider verification checked, and the consumers' handlers accept it
// with its key. A producer change that slipped past the pact would show up here.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pactFile, RATING_EXAMPLE, RATING_MESSAGE, SPARK_RECOMMENDER } from '../../contracts/pact.ts';
import { METRICS_TOPIC, RATINGS_TOPIC } from '../../contracts/topics.ts';
import { createMetricsPublisher } from '../../helpers/producer/metrics-publisher.ts';
import { createRatingsProducer } from '../../helpers/producer/ratings-producer.ts';
import { validMetric, validRating } from '../support/arbitraries.ts';
import { isolatedTopic, runKafka } from '../support/broker.ts';
import { handleMetricMessage, handleRatingMessage } from '../support/pact/consumers.ts';
import {
  METRIC_RECIPE,
  messageProviders,
  PROVIDER_EVENTS,
  produce,
  RATING_RECIPE,
  recordMessage,
  verifyPacts,
} from '../support/pact/providers.ts';
import { readTopic } from '../support/read-topic.ts';

/** A fixed sample: the pact example, the provider's whole-star 5 and generated ratings, replayable by seed. */
const RATINGS = [
  RATING_EXAMPLE,
  PROVIDER_EVENTS.rating,
  ...fc.sample(validRating(), { numRuns: 48, seed: 20 }),
];
const METRICS = [PROVIDER_EVENTS.metric, ...fc.sample(validMetric(), { numRuns: 19, seed: 20 })];

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('pact round trip through the broker', () => {
  it('delivers ratings that satisfy the Spark pact, and the Spark handler accepts them with their keys', async () => {
    const kafka = runKafka();
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    await using producer = await createRatingsProducer(kafka, { topic: topic.name });
    expect(await producer.sendAll(RATINGS)).toMatchObject({ sent: RATINGS.length, refusedCount: 0 });

    const records = await readTopic(kafka, topic.name, RATINGS.length);
    expect(records).toHaveLength(RATINGS.length);
    const verified = new Map(
      RATINGS.map((event) => {
        const record = produce(RATING_RECIPE, event);
        return [`${record.key}|${record.value.toString('utf8')}`, event];
      }),
    );
    for (const record of records) {
      // Same key and value bytes as the recipe provider verification runs on.
      const event = verified.get(`${record.key}|${record.value}`);
      expect(
        event,
        `record at ${record.partition}/${record.offset} is not the recipe's: ${record.value}`,
      ).toBeDefined();
      expect(handleRatingMessage({ value: record.value, key: record.key, topic: topic.name })).toEqual(event);
    }

    // And the records as read from the broker satisfy the Spark pact themselves (the topic is a copy of
    // `ratings` under another name, so the pact's topic is the contract's).
    vi.stubEnv('PACT_BROKER_BASE_URL', undefined);
    const wholeStars = records.filter(({ value }) => value?.includes('"rating":5.0,'));
    expect(wholeStars.length, 'the whole-star rating 5.0 is among the records').toBeGreaterThan(0);
    for (const record of wholeStars) {
      const read = {
        topic: RATINGS_TOPIC.name,
        key: record.key ?? '',
        value: Buffer.from(record.value ?? ''),
      };
      await verifyPacts({
        pactUrls: [pactFile(SPARK_RECOMMENDER)],
        providers: messageProviders({ [RATING_MESSAGE]: () => recordMessage(read) }),
      });
    }
  });

  it('delivers the very metric records provider verification runs on, and the dashboard handler accepts them', async () => {
    const kafka = runKafka();
    const topic = await isolatedTopic(METRICS_TOPIC, kafka);
    await using publisher = await createMetricsPublisher(kafka, { topic: topic.name });
    expect(await publisher.publish(METRICS)).toEqual({ sent: METRICS.length, refused: [] });

    const records = await readTopic(kafka, topic.name, METRICS.length);
    // One partition: the broker returns the metrics in the order they were published.
    expect(records.map(({ key, value }) => ({ key, value }))).toEqual(
      METRICS.map((event) => {
        const record = produce(METRIC_RECIPE, event);
        return { key: record.key, value: record.value.toString('utf8') };
      }),
    );
    for (const [index, record] of records.entries()) {
      expect(handleMetricMessage({ value: record.value, key: record.key, topic: topic.name })).toEqual(
        METRICS[index],
      );
    }
  });
});
