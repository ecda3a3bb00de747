// A one-line progress bar on stderr, drawn only for a person at a terminal.
import type { CliStream } from './command.ts';
import { formatCount, formatRate } from './format.ts';

/** A progress display; every method is a no-op when the stream is not a TTY. */
export interface Progress {
  /** Redraws (at most ten times a second) with the count so far and the done fraction, if known. */
  update(done: number, fraction: number | undefined): void;
  /** Erases the line so the summary starts clean. */
  finish(): void;
}

const WIDTH = 30;
const REDRAW_MS = 100;
// Short runs finish before a bar helps; drawing it would only flash.
const SHOW_AFTER_MS = 500;

/** A progress bar labelled `label` on `stream`, or a silent one when the stream is not a terminal. */
export function createProgress(stream: CliStream, label: string): Progress {
  if (!stream.isTTY) return { update: () => {}, finish: () => {} };
  const started = performance.now();
  let lastDraw = 0;
  let drawn = false;
  return {
    update(done, fraction) {
      const now = performance.now();
      if (now - started < SHOW_AFTER_MS || now - lastDraw < REDRAW_MS) return;
      lastDraw = now;
      drawn = true;
      const rate = done / ((now - started) / 1_000);
      const known = fraction !== undefined && Number.isFinite(fraction);
      const filled = known ? Math.min(WIDTH, Math.round(fraction * WIDTH)) : 0;
      const gauge = known
        ? `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% `
        : '';
      stream.write(`\r\x1b[2K${label} ${gauge}${formatCount(done)} (${formatRate(rate)} msg/s)`);
    },
    finish() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}
