// The records a peer sends: the dataset's bytes as they are (raw), or events encoded by our encoder (validated).
import { readFile } from 'node:fs/promises';
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

/** The dataset's keyed lines as records, all in memory: the raw peers pay nothing for them while timed. */
export async function readKeyedRecords(file: string): Promise<RawRecord[]> {
  const text = await readFile(file, 'utf8');
  const records: RawRecord[] = [];
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0)
      records.push({ key: Buffer.from(line.slice(0, tab)), value: Buffer.from(line.slice(tab + 1)) });
  }
  return records;
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

/** The records of a produce run, raw from the file or validated from the seed; raw ones are read up front. */
export async function recordSource(options: {
  validate: boolean;
  keyedFile: string | undefined;
  seed: number;
  count: number;
}): Promise<Iterable<RawRecord>> {
  if (options.validate) return { [Symbol.iterator]: () => validatedRecords(options.seed, options.count) };
  if (options.keyedFile === undefined) throw new Error('a raw produce needs --keyed-file');
  return readKeyedRecords(options.keyedFile);
}

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
