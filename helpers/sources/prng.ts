// A tiny seeded PRNG: the same seed replays the same ratings, on any machine and Node version.

/** A source of uniform floats in [0, 1). */
export type Random = () => number;

/**
 * mulberry32 (Tommy Ettinger): 32 bits of state, fast, and good enough to spread keys and ratings.
 * Not for cryptography; Math.random cannot be seeded, which is the whole point here.
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An integer from `low` to `high`, both included. */
export function integerBetween(random: Random, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}
