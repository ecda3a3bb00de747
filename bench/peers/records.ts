// The records a peer sends: the seeded events as plain JSON (raw), or encoded by our encoder (validated).
import { createEncoder } from '../../helpers/codec/encode.ts';
import { RATING_CONTRACT } from '../../helpers/codec/events.ts';
import { ratingKey } from '../../helpers/producer/ratings-producer.ts';
import { randomRatings } from '../../helpers/sources/random-ratings.ts';

/** Records per send(), as our producer's default batchSize: every client sends the same requests. */
export const PEER_BATCH = 2_000;

/** A record as both peers send it: key and value already bytes. */
export interface RawRecord {
  key: Buffer;
  value: Buffer;
}

/**
 * The events of `randomRatings(seed, count)`, each checked and encoded by our encoder as our producer
 * does (the same work inside the timed interval); throws on a refusal, which the seeded events never are.
 */
export function* validatedRecords(seed: number, count: number): Generator<RawRecord> {
  const encode = createEncoder(RATING_CONTRACT);
  for (const event of randomRatings(seed, count)) {
    const encoded = encode(event);
    if (!encoded.ok) throw new Error(`our encoder refused a seeded event: ${encoded.message}`);
    yield { key: Buffer.from(ratingKey(event)), value: encoded.bytes };
  }
}

/**
 * The same events as a producer without our code writes them: JSON.stringify, no checks (so `5`, not
 * `5.0`, two bytes shorter for whole-star ratings). Generated inside the interval as ours are, so the gap
 * between the two is our validation and plumbing, not the event source.
 */
export function* plainRecords(seed: number, count: number): Generator<RawRecord> {
  for (const event of randomRatings(seed, count))
    yield { key: Buffer.from(ratingKey(event)), value: Buffer.from(JSON.stringify(event)) };
}

/** The records of a produce run: with our encoder (`validate`) or plain JSON. */
export const recordSource = (options: {
  validate: boolean;
  seed: number;
  count: number;
}): Iterable<RawRecord> => ({
  [Symbol.iterator]: () => (options.validate ? validatedRecords : plainRecords)(options.seed, options.count),
});

/** Groups records into sends of {@link PEER_BATCH}. */
export function* batches<T>(records: Iterable<T>, size = PEER_BATCH): Generator<T[]> {
  let batch: T[] = [];
  for (const record of records) {
    batch.push(record);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
