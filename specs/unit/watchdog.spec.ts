// Protects the promise that a broker never outlives the process that started it: killed by a signal (a
// CI timeout, `kill -9` on vitest), that process runs no exit handler, and without a watchdog a native
// JVM would live on with its ports and data dir, and a container (where Ryuk is disabled) would keep
// running. Also that what is stopped the normal way leaves no watchdog behind.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { containerWatchdog, WATCHDOG_NAME } from '../../helpers/kafka/watchdog.ts';
import { pollUntil } from '../../helpers/wait/poll-until.ts';
import { sleepingJvm } from '../support/sleeping-jvm.ts';

const CHILD = new URL('../support/watchdog-owner-child.ts', import.meta.url).pathname;
const watchdogSupported = process.platform !== 'win32';
if (!watchdogSupported)
  console.info('[skip] watchdog specs: Windows has no sh, so brokers there get no watchdog');

/** True once `pid` no longer runs (gone, or a zombie nobody reaped yet). */
function processGone(pid: number): boolean {
  try {
    const stat = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return stat === '' || stat.startsWith('Z');
  } catch {
    return true; // ps exits non-zero when the pid does not exist
  }
}

/** The watchdog processes whose arguments include `arg`. */
function watchdogsOf(arg: string): string[] {
  return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(WATCHDOG_NAME) && line.split(/\s+/).includes(arg));
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'watchdog-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts the owner child and resolves with its first line, parsed. */
async function owner<T>(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env });
  cleanups.push(() => child.kill('SIGKILL'));
  const first = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
  return { child, line: JSON.parse(String(first.value ?? '{}')) as T };
}

describe.runIf(watchdogSupported)('a native broker JVM and the process that owns it', () => {
  it('is killed, and its folder removed, when its owner dies by SIGKILL', async () => {
    const dir = scratchDir();
    const { child, line } = await owner<{ pid: number }>(['jvm', dir]);
    const { pid } = line;
    cleanups.push(() => {
      if (!processGone(pid)) process.kill(pid, 'SIGKILL');
    });
    expect(processGone(pid)).toBe(false);

    child.kill('SIGKILL');
    await pollUntil(
      () => ({ jvmGone: processGone(pid), dirGone: !existsSync(dir) }),
      (state) => state.jvmGone && state.dirGone,
      { what: `the JVM ${pid} to die with its owner and ${dir} to go`, timeoutMs: 10_000, intervalMs: 20 },
    );
  });

  it('leaves no watchdog behind once the JVM is stopped, and leaves the folder to its owner', async () => {
    const dir = scratchDir();
    const jvm = sleepingJvm(dir);
    jvm.launch();
    const pid = jvm.pid!;
    cleanups.push(() => jvm.killNow());
    expect(watchdogsOf(String(pid))).toHaveLength(1);

    await jvm.halt('SIGTERM');
    expect(processGone(pid)).toBe(true);
    await pollUntil(
      () => watchdogsOf(String(pid)),
      (left) => left.length === 0,
      { what: `the watchdog of ${pid} to stop with it`, timeoutMs: 10_000, intervalMs: 20 },
    );
    expect(existsSync(dir)).toBe(true);
  });
});

describe.runIf(watchdogSupported)('a broker container and the process that owns it', () => {
  it('is removed through the docker CLI when its owner dies by SIGKILL, where Ryuk is disabled', async () => {
    // A stand-in docker CLI that records how it was called: what is under test is the watchdog.
    const bin = scratchDir();
    const calls = join(bin, 'calls.log');
    writeFileSync(join(bin, 'docker'), `#!/bin/sh\necho "$@" >> '${calls}'\n`);
    chmodSync(join(bin, 'docker'), 0o755);
    const id = `container-${process.pid}-${Date.now()}`;
    const { child } = await owner(['container', id], {
      ...process.env,
      PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
    });
    expect(watchdogsOf(id)).toHaveLength(1);
    expect(existsSync(calls)).toBe(false);

    child.kill('SIGKILL');
    await pollUntil(
      () => (existsSync(calls) ? readFileSync(calls, 'utf8').trim() : ''),
      (called) => called !== '',
      { what: `the watchdog to remove ${id}`, timeoutMs: 10_000, intervalMs: 20 },
    );
    expect(readFileSync(calls, 'utf8').trim()).toBe(`rm -f -v ${id}`);
  });

  it('leaves containers to Ryuk where Ryuk runs', () => {
    expect(containerWatchdog('any', {})).toBeUndefined();
    expect(containerWatchdog('any', { TESTCONTAINERS_RYUK_DISABLED: 'false' })).toBeUndefined();
  });
});
