// Numbers, durations and bars for human-readable summaries.

/** `1,234,567`. */
export const formatCount = (value: number): string => Math.round(value).toLocaleString('en-US');

/** `850 ms`, `12.3 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

/** A rate with sensible precision: `123,456` for big ones, `12.5` for small ones. */
export const formatRate = (value: number): string =>
  value >= 100 ? formatCount(value) : value.toFixed(value >= 10 ? 1 : 2);

/** `512 B`, `3.4 KB`, `97.2 MB`, `1.3 GB` (binary multiples). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A percentage with one decimal: `99.5%`. */
export const formatPercent = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;

/** A horizontal bar of `width` cells at most, scaled to `max`; a non-zero count always shows one cell. */
export function bar(count: number, max: number, width = 40): string {
  if (max <= 0 || count <= 0) return '';
  return '█'.repeat(Math.max(1, Math.round((count / max) * width)));
}
