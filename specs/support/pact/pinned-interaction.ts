// A consumer's pact interaction written from its pinned release: the matchers are read off the release's
// JSON Schema (read back as TypeBox), and the example must pass the handler built from the same release.
// So the pact in pacts/ says what the deployed consumer expects, and provider verification checks the
// working producer's bytes against that, not against the working contract (which would agree with itself).
import type { Pact } from '@pact-foundation/pact';
import { expect } from 'vitest';
import {
  METRIC_EXAMPLE,
  METRIC_MESSAGE,
  METRIC_METADATA,
  METRICS_DASHBOARD,
  matchersFor,
  RATING_EXAMPLE,
  RATING_MESSAGE,
  RATING_METADATA,
  SPARK_RECOMMENDER,
} from '../../../contracts/pact.ts';
import { type PinnedRelease, pinnedReader } from '../../../helpers/compat/pins.ts';
import { typeboxOf } from '../../../helpers/compat/release-schema.ts';
import {
  fromPactMessage,
  handleMetricMessage,
  handleRatingMessage,
  METRICS_DASHBOARD_PIN,
  type MessageHandler,
  SPARK_RECOMMENDER_PIN,
} from './consumers.ts';

/** What one consumer's interaction is made of. */
export interface PinnedMessage {
  /** The consumer's pinned release: the schema of the one event it reads gives the matchers. */
  pinned: PinnedRelease;
  /** The interaction's description, shared with the provider (contracts/pact.ts). */
  description: string;
  /** Fixed values, so the pact file is byte-identical from run to run. */
  example: unknown;
  /** Topic, key and content type matchers. */
  metadata: Record<string, unknown>;
  /** The consumer's handler, built from the same release. */
  handle: MessageHandler<unknown>;
}

/**
 * The JSON content of the interaction: Pact matchers for the example, read off the pinned release's schema.
 * Throws when the release's reader refuses the example: a pact must show a message its consumer accepts.
 */
export function pinnedContent(message: Pick<PinnedMessage, 'pinned' | 'example'>): unknown {
  const { pin, schemas } = message.pinned;
  const [title] = pin.reads;
  const json = title === undefined ? undefined : schemas.get(title);
  if (json === undefined) throw new Error(`${pin.name} reads no event of its release ${pin.release}`);
  const verdict = pinnedReader(message.pinned)(Buffer.from(JSON.stringify(message.example)));
  if (!verdict.ok)
    throw new Error(
      `the example of ${pin.name}'s pact is no ${title} its pinned release ${pin.release} allows: ${verdict.message}`,
    );
  return matchersFor(typeboxOf(json), message.example);
}

/** The interaction, for `writePact`: the pact expects the message, and the consumer's handler accepts it as sent. */
export function pinnedInteraction(message: PinnedMessage): (pact: Pact) => Promise<unknown> {
  const content = pinnedContent(message);
  return (pact) =>
    pact
      .addAsynchronousInteraction()
      .expectsToReceive(message.description, (builder) =>
        builder
          .withJSONContent(content)
          .withMetadata(message.metadata as Parameters<typeof builder.withMetadata>[0]),
      )
      .executeTest(async (received) => {
        expect(message.handle(fromPactMessage(received))).toEqual(received.contents.content);
      });
}

/** The Spark pact's one message: a rating, matched field by field off its pinned release's schema. */
export const SPARK_RATING: PinnedMessage = {
  pinned: SPARK_RECOMMENDER_PIN,
  description: RATING_MESSAGE,
  example: RATING_EXAMPLE,
  metadata: RATING_METADATA,
  handle: handleRatingMessage,
};

/** The dashboard pact's one message: a metric, matched field by field off its pinned release's schema. */
export const DASHBOARD_METRIC: PinnedMessage = {
  pinned: METRICS_DASHBOARD_PIN,
  description: METRIC_MESSAGE,
  example: METRIC_EXAMPLE,
  metadata: METRIC_METADATA,
  handle: handleMetricMessage,
};

/** Each consumer's messages by consumer name: what its pact spec writes into pacts/. */
export const PINNED_MESSAGES: Readonly<Record<string, readonly PinnedMessage[]>> = {
  [SPARK_RECOMMENDER]: [SPARK_RATING],
  [METRICS_DASHBOARD]: [DASHBOARD_METRIC],
};
