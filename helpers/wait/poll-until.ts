// The one way this project waits: poll a probe until its value is what we need, within a bounded
// budget, and say what was awaited (and what was last seen) when the budget runs out. Every wait on a
// broker, a topic, a group or an ACL goes through here, never through a bare sleep.
import { setTimeout as sleep } from 'node:timers/promises';
import { type ErrorCode, InfrastructureError } from '../errors.ts';

/** Options of {@link pollUntil}; `what` and `timeoutMs` are required so every timeout is explained. */
export interface PollOptions {
  /** What is awaited, as a phrase: "leaders for every partition of ratings". */
  what: string;
  /** The whole budget, first probe included. */
  timeoutMs: number;
  /** Pause after the first miss; doubles up to {@link maxIntervalMs}. */
  intervalMs?: number;
  /** The longest pause between two probes. */
  maxIntervalMs?: number;
  /**
   * Whether a probe that throws this error is a miss to retry (true) or the answer (false: rethrown
   * at once). Defaults to rethrowing: a wait never hides an error it was not told to expect.
   */
  retryOn?: (error: unknown) => boolean;
  /** Describes a probe's value in the timeout message. */
  show?: (value: unknown) => string;
  /** Ends the wait early (its reason is thrown): the thing awaited is known to be gone. */
  signal?: AbortSignal;
}

/** A wait that ran out of budget: names what was awaited, for how long, and what was last seen. */
export class WaitTimeoutError extends InfrastructureError {
  override readonly name: string = 'WaitTimeoutError';
  override readonly code: ErrorCode = 'TIMEOUT';
  readonly what: string;
  readonly timeoutMs: number;
  readonly lastSeen: string;
  constructor(what: string, timeoutMs: number, lastSeen: string, options?: ErrorOptions) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${lastSeen}`, options);
    this.what = what;
    this.timeoutMs = timeoutMs;
    this.lastSeen = lastSeen;
  }
}

const showValue = (value: unknown): string => {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return (
      JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'undefined'
    );
  } catch {
    return String(value);
  }
};

/**
 * Calls `probe` until `done(value)` holds and returns that value. Pauses start short (most conditions
 * hold within milliseconds) and back off, so a fast condition costs little and a slow one few probes.
 */
export async function pollUntil<T>(
  probe: () => T | Promise<T>,
  done: (value: T) => boolean,
  options: PollOptions,
): Promise<T> {
  const { what, timeoutMs, intervalMs = 20, maxIntervalMs = 500, retryOn = () => false } = options;
  const show = options.show ?? showValue;
  const deadline = performance.now() + timeoutMs;
  let pause = intervalMs;
  let lastSeen = 'nothing yet';
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const value = await probe();
      if (done(value)) return value;
      lastSeen = show(value);
      lastError = undefined;
    } catch (error) {
      if (!retryOn(error)) throw error;
      lastSeen = showValue(error);
      lastError = error;
    }
    const left = deadline - performance.now();
    if (left <= 0) throw new WaitTimeoutError(what, timeoutMs, lastSeen, { cause: lastError });
    await sleep(Math.min(pause, left), undefined, options.signal ? { signal: options.signal } : undefined);
    pause = Math.min(pause * 2, maxIntervalMs);
  }
}
