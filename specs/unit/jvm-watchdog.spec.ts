// Protects the promise that a native broker never outlives the process that started it: killed by a
// signal (a CI timeout, `kill -9` on vitest), that process runs no exit handler, and without the
// watchdog the JVM would live on with its ports and data dir. Also that a JVM stopped the normal way
// leaves no watchdog behind.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../../helpers/wait/poll-until.ts';
import { sleepingJvm } from '../support/sleeping-jvm.ts';

const CHILD = new URL('../support/jvm-owner-child.ts', import.meta.url).pathname;
const watchdogSupported = process.platform !== 'win32';

/** True once `pid` no longer runs (gone, or a zombie nobody reaped yet). */
function processGone(pid: number): boolean {
  try {
    const stat = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return stat === '' || stat.startsWith('Z');
  } catch {
    return true; // ps exits non-zero when the pid does not exist
  }
}

/** The watchdog processes guarding `pid`. */
function watchdogsOf(pid: number): string[] {
  return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('kafka-watchdog') && line.split(/\s+/).includes(String(pid)));
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function ownedDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'jvm-watchdog-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe.runIf(watchdogSupported)('a native broker JVM and the process that owns it', () => {
  it('is killed, and its folder removed, when its owner dies by SIGKILL', async () => {
    const dir = ownedDir();
    const owner = spawn(process.execPath, [CHILD, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => owner.kill('SIGKILL'));
    const [line] = await createInterface({ input: owner.stdout })
      [Symbol.asyncIterator]()
      .next()
      .then((r) => [r.value as string]);
    const { pid } = JSON.parse(line ?? '{}') as { pid: number };
    cleanups.push(() => {
      if (!processGone(pid)) process.kill(pid, 'SIGKILL');
    });
    expect(processGone(pid)).toBe(false);

    owner.kill('SIGKILL');
    await pollUntil(
      () => ({ jvmGone: processGone(pid), dirGone: !existsSync(dir) }),
      (state) => state.jvmGone && state.dirGone,
      { what: `the JVM ${pid} to die with its owner and ${dir} to go`, timeoutMs: 10_000, intervalMs: 20 },
    );
  });

  it('leaves no watchdog behind once the JVM is stopped, and leaves the folder to its owner', async () => {
    const dir = ownedDir();
    const jvm = sleepingJvm(dir);
    jvm.launch();
    const pid = jvm.pid!;
    cleanups.push(() => jvm.killNow());
    expect(watchdogsOf(pid)).toHaveLength(1);

    await jvm.halt('SIGTERM');
    expect(processGone(pid)).toBe(true);
    await pollUntil(
      () => watchdogsOf(pid),
      (left) => left.length === 0,
      { what: `the watchdog of ${pid} to stop with it`, timeoutMs: 10_000, intervalMs: 20 },
    );
    expect(existsSync(dir)).toBe(true);
  });
});
