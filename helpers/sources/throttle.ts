// Paces a stream of events with a token bucket: `--rate` without a busy loop.
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Yields the items of `source` at most `ratePerSecond` per second on average. The bucket holds a
 * tenth of a second of tokens, so timers (about 1 ms granular) never cap a high rate, and a pause in
 * the consumer cannot be made up by a burst longer than that.
 */
export async function* throttle<T>(
  source: Iterable<T> | AsyncIterable<T>,
  ratePerSecond: number,
): AsyncGenerator<T> {
  if (!(ratePerSecond > 0)) throw new RangeError(`rate must be > 0 messages/s, got ${ratePerSecond}`);
  const capacity = Math.max(1, ratePerSecond / 10);
  let tokens = 1;
  let last = performance.now();
  for await (const item of source) {
    for (;;) {
      const now = performance.now();
      tokens = Math.min(capacity, tokens + ((now - last) * ratePerSecond) / 1000);
      last = now;
      if (tokens >= 1) break;
      await sleep(Math.ceil(((1 - tokens) * 1000) / ratePerSecond));
    }
    tokens -= 1;
    yield item;
  }
}
