// What a pinned consumer reads, from the release its pin names (contracts/consumers.ts), never from the
// working contracts/generated/: the folder the Spark job is started with, and the schema and decoder the
// consumer pacts are written from. Every read goes through the release's manifest, so an edited release
// cannot be run or pacted.
import { join } from 'node:path';
import type { ConsumerPin } from '../../contracts/consumers.ts';
import type { Decoder } from '../codec/decode.ts';
import { CheckFailedError } from '../errors.ts';
import { type ReleaseReaderOptions, releaseReader } from './release-reader.ts';
import { loadRelease, RELEASES_DIR } from './releases.ts';
import type { JsonSchema } from './schema-diff.ts';

/** A consumer's pinned release, read and checked against its manifest. */
export interface PinnedRelease {
  pin: ConsumerPin;
  /** The release's folder, absolute: what the Spark job gets as `--contracts`. */
  dir: string;
  /** The JSON Schema of each event the consumer reads, by title, as released. */
  schemas: ReadonlyMap<string, JsonSchema>;
}

/**
 * The release `pin` names under `root`, verified: a {@link CheckFailedError} when it is missing, was edited
 * since it was cut, or lacks an event the consumer reads.
 */
export function pinnedRelease(root: string, pin: ConsumerPin): PinnedRelease {
  const dir = join(root, RELEASES_DIR, pin.release);
  const release = loadRelease(root, pin.release);
  const schemas = new Map<string, JsonSchema>();
  for (const title of pin.reads) {
    const schema = release.schemas.get(title);
    if (schema === undefined)
      throw new CheckFailedError(
        `${pin.name} reads ${title}, but its pinned release ${pin.release} (${dir}) has no ${title} schema`,
      );
    schemas.set(title, schema);
  }
  return { pin, dir, schemas };
}

/** The decoder `pin`'s consumer runs on `title`: built from its pinned release, for its kind of reader. */
export function pinnedReader(
  pinned: PinnedRelease,
  title: string,
  options: ReleaseReaderOptions,
): Decoder<unknown> {
  const schema = pinned.schemas.get(title);
  if (schema === undefined)
    throw new CheckFailedError(
      `${pinned.pin.name} does not read ${title}: it reads ${pinned.pin.reads.join(', ')} (contracts/consumers.ts)`,
    );
  return releaseReader(schema, pinned.pin.reader, options);
}
