// What a pinned consumer reads, from the release its pin names (contracts/consumers.ts), never from the
// working contracts/generated/: the folder the Spark job is started with, and the schema and decoder the
// consumer pacts are written from. Every read goes through the release's manifest, so an edited release
// cannot be run or pacted.
import { join } from 'node:path';
import type { ConsumerPin } from '../../contracts/consumers.ts';
import type { Decoder, EventContract } from '../codec/decode.ts';
import { METRIC_CONTRACT, RATING_CONTRACT } from '../codec/events.ts';
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

/** The working contracts, by title: a release's JSON Schema carries no size limit and no cross-field rule. */
const WORKING_CONTRACTS: readonly EventContract<never>[] = [
  RATING_CONTRACT as EventContract<never>,
  METRIC_CONTRACT as EventContract<never>,
];

/** The size limit and cross-field rules of event `title`, which are code, not release data: today's. */
export function readerOptionsOf(title: string): ReleaseReaderOptions {
  const contract = WORKING_CONTRACTS.find((candidate) => candidate.schema.title === title);
  if (!contract) throw new CheckFailedError(`no event contract titled ${title} in helpers/codec/events.ts`);
  return { maxBytes: contract.maxBytes, invariants: contract.invariants };
}

/**
 * The decoder the pinned consumer runs on `title` (default: the one event it reads): built from its
 * pinned release, for its kind of reader.
 */
export function pinnedReader(pinned: PinnedRelease, title = pinned.pin.reads[0] ?? ''): Decoder<unknown> {
  const schema = pinned.schemas.get(title);
  if (schema === undefined)
    throw new CheckFailedError(
      `${pinned.pin.name} does not read ${title}: it reads ${pinned.pin.reads.join(', ')} (contracts/consumers.ts)`,
    );
  return releaseReader(schema, pinned.pin.reader, readerOptionsOf(title));
}
