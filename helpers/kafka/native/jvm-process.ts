// One broker JVM: started, awaited until it answers by protocol, stopped by signal, started again on
// the same files. Its output goes to files, whose tails explain a failed start.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { InfrastructureError } from '../../errors.ts';
import { waitForBroker } from '../wait-ready.ts';
import { onOwnerDeath } from '../watchdog.ts';

/** What a {@link KafkaJvm} runs and where it writes. */
export interface JvmSpec {
  java: string;
  /** Everything before the main class: heap, flags, classpath. */
  jvmArgs: readonly string[];
  configFile: string;
  workDir: string;
  /** The broker's own log (log4j). */
  logFile: string;
  /** What the JVM itself prints (startup failures before logging works). */
  consoleFile: string;
  brokers: readonly string[];
  /** Names the broker in messages: "Kafka 4.1.1 (native)". */
  label: string;
  readyTimeoutMs: number;
  shutdownTimeoutMs: number;
  /** The folder to remove with the JVM when this process dies without stopping it (see {@link jvmWatchdog}). */
  ownedDir: string;
}

/** Kills the JVM `pid` and removes `ownedDir` if this process dies without stopping it (see watchdog.ts). */
export const jvmWatchdog = (pid: number, ownedDir: string): ChildProcess | undefined =>
  onOwnerDeath('kill -9 "$1" 2>/dev/null; rm -rf "$2"', [String(pid), ownedDir]);

/** The last lines of a file, or an empty string when it does not exist. */
function tail(file: string, lines: number): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** A broker JVM that can be started, stopped and started again. */
export class KafkaJvm {
  readonly #spec: JvmSpec;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #exitCode: number | string | null = null;
  #alive = false;

  constructor(spec: JvmSpec) {
    this.#spec = spec;
  }

  /** The running JVM's process id. */
  get pid(): number | undefined {
    return this.#alive ? this.#child?.pid : undefined;
  }

  /** True while the JVM process runs. */
  get alive(): boolean {
    return this.#alive;
  }

  /** Starts the JVM; its output goes to the console file, so none of it reaches the test output. */
  launch(): void {
    const { java, jvmArgs, configFile, workDir, consoleFile } = this.#spec;
    const out = openSync(consoleFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(java, [...jvmArgs, 'kafka.Kafka', configFile], {
        cwd: workDir,
        stdio: ['ignore', out, out],
      });
    } finally {
      closeSync(out);
    }
    this.#child = child;
    this.#alive = true;
    this.#exitCode = null;
    const watchdog = child.pid === undefined ? undefined : jvmWatchdog(child.pid, this.#spec.ownedDir);
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        watchdog?.kill('SIGKILL');
        this.#alive = false;
        this.#exitCode = code ?? signal;
        resolve();
      });
      child.once('error', (error) => {
        watchdog?.kill('SIGKILL');
        this.#alive = false;
        this.#exitCode = error.message;
        resolve();
      });
    });
  }

  /** Resolves once the broker answers DescribeCluster; fails at once, with its logs, if the JVM dies. */
  async waitReady(what: string): Promise<void> {
    const { brokers, label, readyTimeoutMs } = this.#spec;
    // The probes stop as soon as the JVM is gone: a dead broker is reported at once, with its logs.
    const gone = new AbortController();
    const died = this.#exited.then(() => {
      gone.abort();
      throw new InfrastructureError(
        `${label} exited with ${this.#exitCode} during ${what}${this.diagnostics()}`,
      );
    });
    died.catch(() => {});
    try {
      await waitForBroker([...brokers], { timeoutMs: readyTimeoutMs, intervalMs: 50, signal: gone.signal });
    } catch (error) {
      if (gone.signal.aborted) await died;
      throw new InfrastructureError(
        `${label} did not become ready within ${readyTimeoutMs} ms during ${what}: ${(error as Error).message}${this.diagnostics()}`,
      );
    }
  }

  /** Stops the JVM: SIGTERM waits for a clean shutdown (SIGKILL after the timeout), SIGKILL is a crash. */
  async halt(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const child = this.#child;
    if (child === undefined || !this.#alive) return;
    child.kill(signal);
    if (signal === 'SIGTERM') {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), this.#spec.shutdownTimeoutMs);
      });
      const late = await Promise.race([this.#exited.then(() => false), timedOut]);
      clearTimeout(timer);
      if (late) child.kill('SIGKILL');
    }
    await this.#exited;
  }

  /** Kills the JVM at once, synchronously: for process exit, when nothing can be awaited. */
  killNow(): void {
    this.#child?.kill('SIGKILL');
  }

  /** The tails of the broker log and of the JVM's output, for a failure message. */
  diagnostics(): string {
    const { logFile, consoleFile } = this.#spec;
    const parts = [];
    const log = tail(logFile, 40);
    if (log) parts.push(`--- last lines of ${logFile} ---\n${log}`);
    const jvmOutput = tail(consoleFile, 20);
    if (jvmOutput) parts.push(`--- last lines of ${consoleFile} ---\n${jvmOutput}`);
    if (!log && /NOP\) logger/.test(jvmOutput)) {
      parts.push(
        'Broker logging is off: the jars hold slf4j-api 1.x next to a binding for slf4j 2 ' +
          '(expected log4j-slf4j-impl with slf4j-api 1.7, or log4j-slf4j2-impl with slf4j-api 2).',
      );
    }
    return parts.length > 0 ? `\n${parts.join('\n')}` : '';
  }
}
