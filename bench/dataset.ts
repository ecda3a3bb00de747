// The one set of events every tool sends: seeded random ratings, written once as files the anchors read.
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createEncoder } from '../helpers/codec/encode.ts';
import { RATING_CONTRACT } from '../helpers/codec/events.ts';
import { ratingKey } from '../helpers/producer/ratings-producer.ts';
import { randomRatings } from '../helpers/sources/random-ratings.ts';

/** The events on disk, in the two shapes the anchor tools read. */
export interface Dataset {
  seed: number;
  events: number;
  /** `key<TAB>value` lines for `kcat -P -K '\t'`. */
  keyedFile: string;
  /** Value lines for ProducerPerformance `--payload-file`. */
  payloadFile: string;
  /** Sum of the value sizes: what MB/s counts (keys and headers are not counted). */
  valueBytes: number;
}

/**
 * Writes the events of `randomRatings(seed, events)` byte for byte as our producer sends them for the same
 * seed (our encoder's output: doubles keep their decimal point, `5.0`), keyed by userId as our producer keys.
 */
export async function writeDataset(folder: string, seed: number, events: number): Promise<Dataset> {
  const keyedFile = join(folder, 'ratings.keyed.txt');
  const payloadFile = join(folder, 'ratings.values.txt');
  const keyed = createWriteStream(keyedFile);
  const payload = createWriteStream(payloadFile);
  let valueBytes = 0;
  let keyedChunk = '';
  let payloadChunk = '';
  const encode = createEncoder(RATING_CONTRACT);
  for (const event of randomRatings(seed, events)) {
    const encoded = encode(event);
    if (!encoded.ok)
      throw new Error(`our encoder refused seeded event ${JSON.stringify(event)}: ${encoded.message}`);
    const value = encoded.bytes.toString('latin1');
    // JSON of numbers is ASCII, so string length is byte length.
    valueBytes += value.length;
    keyedChunk += `${ratingKey(event)}\t${value}\n`;
    payloadChunk += `${value}\n`;
    if (keyedChunk.length > 1 << 20) {
      await write(keyed, keyedChunk);
      await write(payload, payloadChunk);
      keyedChunk = '';
      payloadChunk = '';
    }
  }
  await write(keyed, keyedChunk);
  await write(payload, payloadChunk);
  await Promise.all([close(keyed), close(payload)]);
  return { seed, events, keyedFile, payloadFile, valueBytes };
}

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

function close(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) =>
    stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}
