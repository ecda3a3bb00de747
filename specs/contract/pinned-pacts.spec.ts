// Protects the wiring from a consumer's pin to its pact: the pact and the handler are built from the
// release the pin names, not from the working contract. A pin moved to a synthetic release (1.0.0 with the
// rating schema edited, cut into a temporary repository with a valid manifest) writes a different pact, and
// the working producer's bytes fail it at an edge that release does not allow; a narrower range, which Pact
// matchers cannot carry, leaves the pact as it is and is refused by the pinned handler instead.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { pinOf } from '../../contracts/consumers.ts';
import { pactFile, RATING_EXAMPLE, RATING_MESSAGE, SPARK_RECOMMENDER } from '../../contracts/pact.ts';
import { MOVIE_ID_MAX, type RatingEvent, TIMESTAMP_MAX, USER_ID_MAX } from '../../contracts/rating.ts';
import { type PinnedRelease, pinnedRelease } from '../../helpers/compat/pins.ts';
import { readRelease, writeRelease } from '../../helpers/compat/releases.ts';
import type { JsonSchema } from '../../helpers/compat/schema-diff.ts';
import { MessageRejected, pinnedHandler } from '../support/pact/consumers.ts';
import { PINNED_MESSAGES, pinnedInteraction, SPARK_RATING } from '../support/pact/pinned-interaction.ts';
import {
  messageProviders,
  produce,
  RATING_RECIPE,
  recordProvider,
  VerificationFailed,
  verifyPacts,
} from '../support/pact/providers.ts';
import { writePact } from '../support/pact/write-pact.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RATING_SCHEMA_FILE = 'rating-event.schema.json';
/** The working producer's edges: every bound of the working contract at once. */
const EDGE: RatingEvent = {
  userId: USER_ID_MAX,
  movieId: MOVIE_ID_MAX,
  rating: 0.5,
  timestamp: TIMESTAMP_MAX,
};

type Properties = Record<string, JsonSchema>;

/** A temporary repository with one release: 1.0.0's files, the rating schema edited; the Spark pin moved to it. */
function sparkPinnedAt(version: string, edit: (properties: Properties) => void): PinnedRelease {
  const root = mkdtempSync(join(tmpdir(), 'pinned-release-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  const files = readRelease(ROOT, '1.0.0');
  const schema = JSON.parse(files.get(RATING_SCHEMA_FILE) as string) as JsonSchema;
  edit(schema.properties as Properties);
  files.set(RATING_SCHEMA_FILE, `${JSON.stringify(schema, null, 2)}\n`);
  writeRelease(root, version, files);
  return pinnedRelease(root, { ...pinOf(SPARK_RECOMMENDER), release: version });
}

/** The Spark pact written from `pinned` with `example`, as the consumer spec writes it from the real pin. */
function sparkPact(pinned: PinnedRelease, example: RatingEvent): Promise<Buffer> {
  return writePact(
    SPARK_RECOMMENDER,
    pinnedInteraction({ ...SPARK_RATING, pinned, example, handle: pinnedHandler(pinned, 'userId') }),
  );
}

/** Verifies the pact `bytes` against the record the working producer writes of `event`. */
function verifyWorkingProducer(bytes: Buffer, event: RatingEvent): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pinned-pact-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, basename(pactFile(SPARK_RECOMMENDER))), bytes);
  return verifyPacts({
    pactUrls: [dir],
    providers: messageProviders({ [RATING_MESSAGE]: recordProvider(RATING_RECIPE, event) }),
  });
}

const committedPact = () => readFileSync(pactFile(SPARK_RECOMMENDER), 'utf8');

describe('a consumer pact follows its pin', () => {
  it.each(Object.entries(PINNED_MESSAGES))(
    '%s: the committed pact is the one its pin in contracts/consumers.ts writes',
    async (consumer, messages) => {
      const bytes = await writePact(consumer, async (pact) => {
        for (const message of messages) await pinnedInteraction(message)(pact);
      });
      expect(bytes.toString('utf8'), `pacts/ is stale for ${consumer}: run its pact spec`).toBe(
        readFileSync(pactFile(consumer), 'utf8'),
      );
    },
  );

  it('is written from the pinned release: at 1.0.0, byte for byte the committed pact, which the producer edge satisfies', async () => {
    const bytes = await sparkPact(
      sparkPinnedAt('1.0.0', () => {}),
      RATING_EXAMPLE,
    );
    expect(bytes.toString('utf8')).toBe(committedPact());
    await expect(verifyWorkingProducer(bytes, EDGE)).resolves.toBeUndefined();
  });

  it("changes with a release that changes a type (whole stars), and the working producer's half star fails it", async () => {
    const pinned = sparkPinnedAt('2.0.0', (properties) => {
      properties.rating = { type: 'integer', minimum: 1, maximum: 5 };
    });
    const bytes = await sparkPact(pinned, { ...RATING_EXAMPLE, rating: 3 });
    const pact = JSON.parse(bytes.toString('utf8'));
    expect(pact.interactions[0].matchingRules.body['$.rating'].matchers).toEqual([{ match: 'integer' }]);
    expect(bytes.toString('utf8')).not.toBe(committedPact());
    const verification = verifyWorkingProducer(bytes, EDGE);
    await expect(verification).rejects.toThrow(VerificationFailed);
    await expect(verification).rejects.toThrow(`${RATING_MESSAGE}: $.rating: `);
  });

  it('refuses to write a pact whose example the pinned release does not allow', () => {
    const pinned = sparkPinnedAt('2.0.0', (properties) => {
      properties.rating = { type: 'integer', minimum: 1, maximum: 5 };
    });
    // The reference example's 2.5 is no whole star: a pact of it would show a message the consumer refuses.
    expect(() => sparkPact(pinned, RATING_EXAMPLE)).toThrow(
      "the example of spark-recommender's pact is no RatingEvent its pinned release 2.0.0 allows: rating: expected",
    );
  });

  it('keeps the pact with a narrower range (Pact matchers carry no ranges); the pinned handler refuses the edge', async () => {
    const pinned = sparkPinnedAt('2.0.0', (properties) => {
      (properties.userId as JsonSchema).maximum = 100_000;
    });
    const bytes = await sparkPact(pinned, RATING_EXAMPLE);
    expect(bytes.toString('utf8')).toBe(committedPact());
    const handle = pinnedHandler(pinned, 'userId');
    const edge = produce(RATING_RECIPE, EDGE);
    expect(() => handle(edge)).toThrow(MessageRejected);
    expect(() => handle(edge)).toThrow(`userId: expected`);
    expect(handle(produce(RATING_RECIPE, { ...EDGE, userId: 100_000 }))).toEqual({
      ...EDGE,
      userId: 100_000,
    });
  });
});
