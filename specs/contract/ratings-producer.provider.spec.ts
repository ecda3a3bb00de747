// Protects the downstream consumers from our producers: every pact in pacts/ is verified against the very
// records the ratings producer and the metrics publisher write (their encoder, key rule and topic), and a
// producer that breaks a field the consumers rely on fails verification with that field named.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from '@fast-check/vitest';
import { MatchersV3 } from '@pact-foundation/pact';
import { type TObject, Type } from '@sinclair/typebox';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  METRIC_MESSAGE,
  METRICS_DASHBOARD,
  matchersFor,
  PACT_CONSUMERS,
  PACT_DIR,
  PACT_PROVIDER,
  pactFile,
  RATING_EXAMPLE,
  RATING_MESSAGE,
  RATING_METADATA,
  SPARK_RECOMMENDER,
} from '../../contracts/pact.ts';
import { RatingEvent } from '../../contracts/rating.ts';
import { RATINGS_TOPIC } from '../../contracts/topics.ts';
import { createEncoder } from '../../helpers/codec/encode.ts';
import { METRIC_CONTRACT, RATING_CONTRACT } from '../../helpers/codec/events.ts';
import { gitBranch, gitCommit } from '../../helpers/pact/git.ts';
import { validMetric, validRating } from '../support/arbitraries.ts';
import {
  METRIC_RECIPE,
  messageProviders,
  PROVIDER_EVENTS,
  RATING_RECIPE,
  type RecordRecipe,
  recordProvider,
  VerificationFailed,
  verifyPacts,
} from '../support/pact/providers.ts';
import { consumerPact } from '../support/pact/write-pact.ts';

/** Read before any stub: the live verification runs only when a broker is configured. */
const LIVE_BROKER = process.env.PACT_BROKER_BASE_URL;
if (!LIVE_BROKER)
  console.info('[skip] provider verification on a Pact Broker: PACT_BROKER_BASE_URL is not set');

/** Each verification starts an HTTP proxy and the Rust verifier (~50 ms): enough runs to range widely. */
const RUNS = 15;

// pact-core adds the broker named by PACT_BROKER_BASE_URL as a pact source whenever it is set: the
// local verifications read pacts/ only.
beforeEach(() => {
  vi.stubEnv('PACT_BROKER_BASE_URL', undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** A copy of a contract's schema with one property replaced, renamed or removed: a producer someone broke. */
function brokenSchema(schema: TObject, edit: Record<string, TObject['properties'][string] | null>): TObject {
  const properties = { ...schema.properties };
  for (const [key, replacement] of Object.entries(edit)) {
    if (replacement === null) delete properties[key];
    else properties[key] = replacement;
  }
  return Type.Object(properties, { additionalProperties: false });
}

/** The ratings producer with a changed contract or key rule, encoding through the real encoder. */
function brokenRatingRecipe(changes: {
  schema?: TObject;
  key?: (event: never) => string;
}): RecordRecipe<never> {
  return {
    topic: RATINGS_TOPIC,
    encode: createEncoder({
      ...RATING_CONTRACT,
      schema: changes.schema ?? RatingEvent,
    }) as RecordRecipe<never>['encode'],
    key: changes.key ?? (RATING_RECIPE.key as (event: never) => string),
  };
}

describe('ratings-kafka provider verification', () => {
  it('has a pact in pacts/ from every consumer', () => {
    const files = readdirSync(PACT_DIR).filter((name) => name.endsWith('.json'));
    expect(files.sort()).toEqual(
      PACT_CONSUMERS.map((consumer) => `${consumer}-${PACT_PROVIDER}.json`).sort(),
    );
  });

  it('satisfies every pact in pacts/ with the records our producers write', async () => {
    await expect(verifyPacts()).resolves.toBeUndefined();
  });

  test.prop([validRating()], {
    numRuns: RUNS,
    // The whole-star 5 is written 5.0: the pact's number() matcher takes it, as it takes other writers' 5.
    examples: [[{ ...RATING_EXAMPLE, rating: 5 }], [{ ...RATING_EXAMPLE, rating: 0.5 }]],
  })('satisfies the Spark pact with every rating the producer writes, 5 included', async (rating) => {
    await verifyPacts({
      pactUrls: [pactFile(SPARK_RECOMMENDER)],
      providers: messageProviders({ [RATING_MESSAGE]: recordProvider(RATING_RECIPE, rating) }),
    });
  });

  test.prop([validMetric()], { numRuns: RUNS })(
    'satisfies the dashboard pact with every metric the publisher writes, tags or none',
    async (metric) => {
      await verifyPacts({
        pactUrls: [pactFile(METRICS_DASHBOARD)],
        providers: messageProviders({ [METRIC_MESSAGE]: recordProvider(METRIC_RECIPE, metric) }),
      });
    },
  );
});

describe('a broken producer fails provider verification, naming the field', () => {
  const rating = PROVIDER_EVENTS.rating;
  it.each([
    {
      name: 'rating encoded as a string',
      recipe: brokenRatingRecipe({ schema: brokenSchema(RatingEvent, { rating: Type.String() }) }),
      event: { ...rating, rating: '5' },
      path: '$.rating',
      reason: "Expected '5' (String) to be a number",
    },
    {
      name: 'movieId renamed to movie_id',
      recipe: brokenRatingRecipe({
        schema: brokenSchema(RatingEvent, { movieId: null, movie_id: RatingEvent.properties.movieId }),
      }),
      event: {
        userId: rating.userId,
        movie_id: rating.movieId,
        rating: rating.rating,
        timestamp: rating.timestamp,
      },
      path: '$',
      reason: 'Actual map is missing the following keys: movieId',
    },
    {
      // Pact matches the key by pattern only: a key of the wrong digits (say the movieId) passes here, and
      // the Spark handler, which compares key and userId, refuses it (see the consumer spec and the round trip).
      name: 'key written as user-<id>',
      recipe: brokenRatingRecipe({ key: (event: RatingEvent) => `user-${event.userId}` }),
      event: rating,
      path: 'metadata.key',
      reason: "Expected 'user-138493' to match '^[1-9][0-9]*$'",
    },
    {
      name: 'records sent to another topic',
      recipe: { ...RATING_RECIPE, topic: { ...RATINGS_TOPIC, name: 'rating' } } as RecordRecipe<never>,
      event: rating,
      path: 'metadata.topic',
      reason: "Expected metadata key 'topic' to have value '\"ratings\"' but was '\"rating\"'",
    },
  ])('$name', async ({ recipe, event, path, reason }) => {
    const verification = verifyPacts({
      pactUrls: [pactFile(SPARK_RECOMMENDER)],
      providers: messageProviders({ [RATING_MESSAGE]: recordProvider(recipe, event as never) }),
    });
    await expect(verification).rejects.toThrow(VerificationFailed);
    await expect(verification).rejects.toThrow(`${RATING_MESSAGE}: ${path}: `);
    await expect(verification).rejects.toThrow(reason);
  });

  it('metric unit encoded as a free string', async () => {
    const recipe: RecordRecipe<unknown> = {
      ...METRIC_RECIPE,
      encode: createEncoder({
        ...METRIC_CONTRACT,
        schema: brokenSchema(METRIC_CONTRACT.schema, { unit: Type.String() }),
      }) as RecordRecipe<unknown>['encode'],
      key: METRIC_RECIPE.key as RecordRecipe<unknown>['key'],
    };
    const verification = verifyPacts({
      pactUrls: [pactFile(METRICS_DASHBOARD)],
      providers: messageProviders({
        [METRIC_MESSAGE]: recordProvider(recipe, { ...PROVIDER_EVENTS.metric, unit: 'msgs/s' }),
      }),
    });
    await expect(verification).rejects.toThrow(`${METRIC_MESSAGE}: $.unit: `);
  });
});

describe('Pact matcher for ratings', () => {
  it('uses number(), since a decimal() matcher refuses the 5 that other writers send for a rating of 5.0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pact-decimal-'));
    try {
      const content = { ...(matchersFor(RatingEvent, RATING_EXAMPLE) as { value: object }).value };
      await consumerPact(SPARK_RECOMMENDER, dir)
        .addAsynchronousInteraction()
        .expectsToReceive(RATING_MESSAGE, (builder) =>
          builder
            .withJSONContent({ ...content, rating: MatchersV3.decimal(RATING_EXAMPLE.rating) })
            .withMetadata(RATING_METADATA as Parameters<typeof builder.withMetadata>[0]),
        )
        .executeTest(async () => {});
      // Ours writes 5.0, which decimal() takes; a writer using plain JSON.stringify sends 5, which it refuses.
      const plainJson: typeof RATING_RECIPE = {
        ...RATING_RECIPE,
        encode: (event) => ({ ok: true, bytes: Buffer.from(JSON.stringify(event)) }),
      };
      const whole = { ...RATING_EXAMPLE, rating: 5 };
      await expect(
        verifyPacts({
          pactUrls: [dir],
          providers: messageProviders({ [RATING_MESSAGE]: recordProvider(RATING_RECIPE, whole) }),
        }),
      ).resolves.toBeUndefined();
      await expect(
        verifyPacts({
          pactUrls: [dir],
          providers: messageProviders({ [RATING_MESSAGE]: recordProvider(plainJson, whole) }),
        }),
      ).rejects.toThrow(`${RATING_MESSAGE}: $.rating: Expected 5 (Integer) to be a decimal number`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const ON_BROKER = 'ratings-kafka provider verification on the Pact Broker';
describe.skipIf(!LIVE_BROKER)(
  LIVE_BROKER ? ON_BROKER : `${ON_BROKER} (skipped: PACT_BROKER_BASE_URL is not set)`,
  () => {
    it('satisfies the pacts on PACT_BROKER_BASE_URL and, on CI, publishes the results for can-i-deploy', async () => {
      await verifyPacts({
        broker: {
          url: LIVE_BROKER ?? '',
          providerVersion: gitCommit(),
          providerVersionBranch: gitBranch(),
          publishVerificationResult: process.env.CI === 'true',
        },
      });
    });
  },
);
