// Streams a MovieLens `ratings.csv` line by line: the 20M file is 500 MB, so it is never loaded whole.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { RatingEvent } from '../../contracts/rating.ts';
import { UsageError } from '../errors.ts';

/** The header every MovieLens ratings.csv starts with. */
export const MOVIELENS_HEADER = 'userId,movieId,rating,timestamp';

/** One data line of the file: an event to send, or the reason the line cannot be one. */
export type CsvRow = { line: number; event: RatingEvent } | { line: number; problem: string };

/** A file that does not start with {@link MOVIELENS_HEADER}: not a MovieLens ratings file at all. */
export class NotMovieLensError extends UsageError {
  override readonly name: string = 'NotMovieLensError';
}

/** A streaming reader and how far it got, for progress bars. */
export interface MovieLensReader {
  rows: AsyncGenerator<CsvRow>;
  /** Bytes read from the file so far. */
  bytesRead: () => number;
}

const INTEGER = /^\d+$/;
const DECIMAL = /^\d+(?:\.\d+)?$/;

/**
 * Parses one data line. Only the syntax is checked here (four fields, numbers where numbers belong);
 * ranges (a rating of 6, userId 0) are the contract's business and are left to the producer's validation.
 * MovieLens timestamps are seconds; events carry milliseconds.
 */
export function parseRatingLine(text: string): RatingEvent | string {
  const fields = text.split(',');
  if (fields.length !== 4) return `expected 4 fields (${MOVIELENS_HEADER}), found ${fields.length}`;
  const [userId, movieId, rating, seconds] = fields as [string, string, string, string];
  if (!INTEGER.test(userId)) return `userId ${JSON.stringify(userId)} is not a whole number`;
  if (!INTEGER.test(movieId)) return `movieId ${JSON.stringify(movieId)} is not a whole number`;
  if (!DECIMAL.test(rating)) return `rating ${JSON.stringify(rating)} is not a number`;
  if (!INTEGER.test(seconds)) return `timestamp ${JSON.stringify(seconds)} is not whole seconds`;
  const timestamp = Number(seconds) * 1000;
  // Past 2^53 the multiplication would round silently; say so rather than send a different instant.
  if (!Number.isSafeInteger(timestamp))
    return `timestamp ${seconds} s is too large to be exact in milliseconds`;
  return { userId: Number(userId), movieId: Number(movieId), rating: Number(rating), timestamp };
}

/**
 * Opens a MovieLens ratings file. The first line must be the header (else {@link NotMovieLensError});
 * blank lines are skipped; line numbers count from 1 at the header, as an editor shows them.
 */
export function readMovieLensRatings(path: string): MovieLensReader {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  async function* rows(): AsyncGenerator<CsvRow> {
    const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
    let line = 0;
    try {
      for await (const raw of lines) {
        line++;
        const text = raw.trim();
        if (line === 1) {
          if (text.replace(/^\uFEFF/, '') !== MOVIELENS_HEADER) {
            throw new NotMovieLensError(
              `${path} starts with ${JSON.stringify(text.slice(0, 80))}, expected the MovieLens header ${MOVIELENS_HEADER}`,
            );
          }
          continue;
        }
        if (text === '') continue;
        const parsed = parseRatingLine(text);
        yield typeof parsed === 'string' ? { line, problem: parsed } : { line, event: parsed };
      }
      if (line === 0)
        throw new NotMovieLensError(`${path} is empty, expected the MovieLens header ${MOVIELENS_HEADER}`);
    } finally {
      lines.close();
      stream.destroy();
    }
  }
  return { rows: rows(), bytesRead: () => stream.bytesRead };
}
