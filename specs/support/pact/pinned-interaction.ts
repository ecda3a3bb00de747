// A consumer's pact interaction written from its pinned release: the matchers are read off the release's
// JSON Schema (read back as TypeBox), and the example must pass the handler built from the same release.
// So the pact in pacts/ says what the deployed consumer expects, and provider verification checks the
// working producer's bytes against that, not against the working contract (which would agree with itself).
import type { Pact } from '@pact-foundation/pact';
import { expect } from 'vitest';
import { matchersFor } from '../../../contracts/pact.ts';
import { type PinnedRelease, pinnedReader } from '../../../helpers/compat/pins.ts';
import { typeboxOf } from '../../../helpers/compat/release-schema.ts';
import { fromPactMessage, type MessageHandler } from './consumers.ts';

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
