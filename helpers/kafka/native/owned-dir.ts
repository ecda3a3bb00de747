// What every native broker or cluster owns: JVMs and a temporary folder, removed by stop() or, when a run
// ends without it, at process exit.
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';

/**
 * Registers an exit handler that kills the JVMs and removes `workDir`, and returns the idempotent stop():
 * `halt` stops the JVMs (cleanly or not, as the owner decides), then the folder goes and the handler too.
 * `stopped()` says whether stop() was called, so a restart after it can be refused.
 */
export function ownedWorkDir(
  workDir: string,
  killNow: () => void,
  halt: () => Promise<void>,
): { stop: () => Promise<void>; stopped: () => boolean } {
  const onProcessExit = (): void => {
    killNow();
    rmSync(workDir, { recursive: true, force: true });
  };
  process.on('exit', onProcessExit);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    try {
      await halt();
    } finally {
      process.off('exit', onProcessExit);
      await rm(workDir, { recursive: true, force: true });
    }
  };
  return { stop, stopped: () => stopped };
}
