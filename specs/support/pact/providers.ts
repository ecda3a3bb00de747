// The provider side of the pacts: message providers that hand the verifier the very records our producers
// put on Kafka (same encoder, same key rule, same topic), and a verifier whose failures name the fields.

import type {
  MessageFromProviderWithMetadata,
  MessageProvider,
  MessageProviders,
} from '@pact-foundation/pact';
import { MessageProviderPact, providerWithMetadata } from '@pact-foundation/pact';
import type { MetricEvent } from '../../../contracts/metric.ts';
import {
  MESSAGE_CONTENT_TYPE,
  METRIC_MESSAGE,
  PACT_DIR,
  PACT_PROVIDER,
  RATING_MESSAGE,
} from '../../../contracts/pact.ts';
import type { RatingEvent } from '../../../contracts/rating.ts';
import { METRICS_TOPIC, RATINGS_TOPIC, type TopicSpec } from '../../../contracts/topics.ts';
import type { EncodeResult } from '../../../helpers/codec/encode.ts';
import { createEncoder } from '../../../helpers/codec/encode.ts';
import { RATING_CONTRACT } from '../../../helpers/codec/events.ts';
import { CheckFailedError } from '../../../helpers/errors.ts';
import { encodeMetric, metricKey } from '../../../helpers/producer/metrics-publisher.ts';
import { ratingKey } from '../../../helpers/producer/ratings-producer.ts';

/** A record as a producer writes it: topic, key and value bytes. */
export interface ProducedRecord {
  topic: string;
  key: string;
  value: Buffer;
}

/** How a producer turns an event into a record: its encoder and its key rule. */
export interface RecordRecipe<T> {
  topic: TopicSpec;
  encode: (event: T) => EncodeResult;
  key: (event: T) => string;
}

/** The ratings producer's recipe: the encoder it builds (`createEncoder(RATING_CONTRACT)`) and `ratingKey`. */
export const RATING_RECIPE: RecordRecipe<RatingEvent> = {
  topic: RATINGS_TOPIC,
  encode: createEncoder(RATING_CONTRACT),
  key: ratingKey,
};

/** The metrics publisher's recipe: `encodeMetric` and `metricKey`. */
export const METRIC_RECIPE: RecordRecipe<MetricEvent> = {
  topic: METRICS_TOPIC,
  encode: encodeMetric,
  key: metricKey,
};

/** The record `recipe` makes of `event`; throws with the encoder's reason when the producer would refuse it. */
export function produce<T>(recipe: RecordRecipe<T>, event: T): ProducedRecord {
  const encoded = recipe.encode(event);
  if (!encoded.ok)
    throw new CheckFailedError(
      `the producer refuses this event for ${recipe.topic.name}: ${encoded.message}`,
    );
  return { topic: recipe.topic.name, key: recipe.key(event), value: encoded.bytes };
}

/**
 * A Pact message provider that answers with the record `recipe` makes of `event`. MessageProviderPact
 * re-serialises the message with JSON.stringify on its way to the verifier, so the value is parsed with
 * every number literal kept and the round trip is checked to give back the producer's bytes exactly: what
 * is verified is what goes on Kafka.
 */
export function recordProvider<T>(recipe: RecordRecipe<T>, event: T): MessageProvider {
  return (descriptor) => {
    const { message, __pactMessageMetadata: metadata } = recordMessage(produce(recipe, event));
    return providerWithMetadata(() => message, metadata as Record<string, string>)(descriptor);
  };
}

/** The Pact message of a record (one a recipe made, or one read back from a broker), bytes checked as above. */
export function recordMessage(record: ProducedRecord): MessageFromProviderWithMetadata {
  const text = record.value.toString('utf8');
  // Every number keeps its literal (JSON.rawJSON), so the re-serialised message carries our 5.0, not 5.
  const message: unknown = JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' && context?.source !== undefined ? JSON.rawJSON(context.source) : value,
  );
  if (JSON.stringify(message) !== text)
    throw new CheckFailedError(`the verifier would see other bytes than the producer writes: ${text}`);
  return {
    __pactMessageMetadata: { topic: record.topic, key: record.key, contentType: MESSAGE_CONTENT_TYPE },
    message,
  };
}

/** Events the providers produce when none are given: a whole-star rating (written `5.0`) and a tagged metric. */
export const PROVIDER_EVENTS = {
  rating: { userId: 138_493, movieId: 27_278, rating: 5, timestamp: 1_427_784_002_000 } satisfies RatingEvent,
  metric: {
    name: 'producer.throughput',
    value: 20_000,
    unit: 'messages/s',
    source: 'producer',
    window: { startMs: 1_700_000_000_000, endMs: 1_700_000_001_000 },
    timestamp: 1_700_000_001_005,
    tags: { runId: 'r-1', topic: 'ratings' },
  } satisfies MetricEvent,
};

/** Our message providers, one per interaction description; `overrides` swaps one (a broken producer, another event). */
export function messageProviders(overrides: Partial<Record<string, MessageProvider>> = {}): MessageProviders {
  const providers: MessageProviders = {
    [RATING_MESSAGE]: recordProvider(RATING_RECIPE, PROVIDER_EVENTS.rating),
    [METRIC_MESSAGE]: recordProvider(METRIC_RECIPE, PROVIDER_EVENTS.metric),
  };
  for (const [description, provider] of Object.entries(overrides))
    if (provider) providers[description] = provider;
  return providers;
}

/** Where a verification against a Pact Broker reads its pacts and how it reports back. */
export interface BrokerSource {
  url: string;
  /** The provider version verified: the git commit. */
  providerVersion: string;
  providerVersionBranch: string;
  /** Send the results to the broker (CI only: can-i-deploy reads them). */
  publishVerificationResult: boolean;
}

/** Options of {@link verifyPacts}. */
export interface VerifyOptions {
  /** Pact files or folders; default: every pact in `pacts/`. Ignored when `broker` is set. */
  pactUrls: string[];
  /** Verify the pacts on a broker instead (credentials from PACT_BROKER_TOKEN or _USERNAME/_PASSWORD). */
  broker: BrokerSource | undefined;
  providers: MessageProviders;
}

/** One failed expectation of a verification, flattened from the verifier's JSON report. */
export interface Mismatch {
  interaction: string;
  /** `$.rating` for a body field, `metadata.key` for a metadata entry. */
  path: string;
  mismatch: string;
}

/** A failed verification: the message lists every mismatch as `path: reason`; `mismatches` holds them as data. */
export class VerificationFailed extends CheckFailedError {
  override readonly name: string = 'VerificationFailed';
  readonly mismatches: Mismatch[];
  constructor(mismatches: Mismatch[]) {
    super(
      `provider verification failed:\n${mismatches.map((m) => `  ${m.interaction}: ${m.path}: ${m.mismatch}`).join('\n')}`,
    );
    this.mismatches = mismatches;
  }
}

/**
 * Verifies pacts against message providers with Pact's MessageProviderPact. Resolves when every interaction
 * passes; rejects with {@link VerificationFailed}, whose message names each failing field.
 */
export async function verifyPacts(options: Partial<VerifyOptions> = {}): Promise<void> {
  const { broker } = options;
  const source = broker
    ? {
        pactBrokerUrl: broker.url,
        // The pacts that matter for a release: main's, this branch's, and those of deployed consumers.
        consumerVersionSelectors: [
          { mainBranch: true },
          { matchingBranch: true },
          { deployedOrReleased: true },
        ],
        enablePending: true,
        providerVersion: broker.providerVersion,
        providerVersionBranch: broker.providerVersionBranch,
        publishVerificationResult: broker.publishVerificationResult,
      }
    : { pactUrls: options.pactUrls ?? [PACT_DIR] };
  const verifier = new MessageProviderPact({
    provider: PACT_PROVIDER,
    ...source,
    messageProviders: options.providers ?? messageProviders(),
    failIfNoPactsFound: true,
    logLevel: 'warn',
  });
  try {
    await verifier.verify();
  } catch (error) {
    throw toVerificationFailed(error);
  }
}

/** The verifier rejects with its JSON report as the message; anything else is passed on unchanged. */
function toVerificationFailed(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  let report: {
    errors?: {
      interaction?: string;
      mismatch?: { mismatches?: Record<string, string>[]; message?: string };
    }[];
  };
  try {
    report = JSON.parse(error.message);
  } catch {
    return error;
  }
  const mismatches = (report.errors ?? []).flatMap(({ interaction = '', mismatch }) =>
    mismatch?.mismatches
      ? mismatch.mismatches.map((m) => ({
          interaction,
          path: m.path ?? (m.key !== undefined ? `metadata.${m.key}` : ''),
          mismatch: m.mismatch ?? '',
        }))
      : [{ interaction, path: '', mismatch: mismatch?.message ?? JSON.stringify(mismatch) }],
  );
  return new VerificationFailed(mismatches);
}
