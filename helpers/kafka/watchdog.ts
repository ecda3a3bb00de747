// Cleanup that runs when the process that started a broker dies without cleaning up itself.
//
// An `exit` handler does not run when a process is killed by a signal (a CI runner's timeout, `kill -9`,
// a killed vitest), and a broker it started would live on, holding its ports, its folder or its
// container. A watchdog is a small shell reading a pipe from this process: the kernel closes that pipe
// however this process ends, and on that end of input the shell runs its cleanup. The owner kills the
// watchdog once it has cleaned up the normal way. It waits on a read, never on a timer, and keeps this
// process alive no longer than it would live anyway.
import { type ChildProcess, spawn } from 'node:child_process';
import type { Writable } from 'node:stream';

/** The name watchdogs run under (`$0` of their shell), to find them in a process list. */
export const WATCHDOG_NAME = 'kafka-watchdog';

/**
 * Runs `script` (sh, with `args` as $1, $2, ...) once this process is gone. Returns the watchdog, to be
 * killed when the cleanup is no longer needed; undefined where there is no `sh` (Windows).
 */
export function onOwnerDeath(script: string, args: readonly string[]): ChildProcess | undefined {
  if (process.platform === 'win32') return undefined;
  const watchdog = spawn('sh', ['-c', `read line; ${script}`, WATCHDOG_NAME, ...args], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.on('error', () => {});
  watchdog.unref();
  (watchdog.stdin as (Writable & { unref?: () => void }) | null)?.unref?.();
  return watchdog;
}

/**
 * Removes container `id` through the docker CLI if this process dies without stopping it. Ryuk does
 * that job where testcontainers can run it; where it is disabled (TESTCONTAINERS_RYUK_DISABLED, as on
 * machines that cannot pull its image) nothing else would, so only then.
 */
export function containerWatchdog(id: string, env: NodeJS.ProcessEnv): ChildProcess | undefined {
  if (env.TESTCONTAINERS_RYUK_DISABLED !== 'true') return undefined;
  return onOwnerDeath('docker rm -f -v "$1" >/dev/null 2>&1', [id]);
}
