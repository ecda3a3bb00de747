// Durations as people type them on a command line: `30s`, `500ms`, `2m`.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Milliseconds of `500ms`, `30s`, `1.5s`, `2m` or `1h`; a bare number is seconds. Throws a RangeError naming the accepted forms. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new RangeError(`"${text}" is not a duration: expected e.g. 500ms, 30s, 2m or 1h`);
  const ms = Number(match[1]) * UNIT_MS[match[2] ?? 's']!;
  if (!Number.isFinite(ms)) throw new RangeError(`"${text}" is too long a duration`);
  return Math.round(ms);
}
