// The native provider: Apache Kafka from the Maven Central jars on the local Java, in KRaft combined mode
// (broker and controller in one JVM), on free loopback ports and a temporary data dir. The parts live in
// ./native/: which Java, which ports, which settings, the storage format, the JVM process.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaVersionIn, resolveLibsDir } from './native/jars.ts';
import { findJava, requireJava } from './native/java.ts';
import { nodeFiles, nodeJvm, writeNodeFiles } from './native/node.ts';
import { ownedWorkDir } from './native/owned-dir.ts';
import { freePorts } from './native/ports.ts';
import { brokerSettings, type NativeListener } from './native/settings.ts';
import { formatStorage, randomClusterId } from './native/storage.ts';
import type { RestartableBroker } from './types.ts';

export { findJava, MIN_JAVA_MAJOR } from './native/java.ts';
export { freePorts } from './native/ports.ts';
export type { NativeListener } from './native/settings.ts';

/** Options for {@link startNativeBroker}; every field has a default. */
export interface NativeOptions {
  /** Extra broker settings, `a.b.c` form; they win over the defaults and the project's broker overrides. */
  settings: Record<string, string>;
  /** Listeners next to PLAINTEXT and CONTROLLER (e.g. a SASL_SSL one), on loopback and advertised as such. */
  listeners: NativeListener[];
  /**
   * Extra arguments of the storage format step, e.g. `--add-scram` credentials: they exist before the
   * broker first starts. They may hold secrets, so they are masked in every error message.
   */
  formatArgs: string[];
  /** The java executable; defaults to {@link findJava}. */
  java: string;
  /** Folder holding the Kafka jars; defaults to `<resolve.sh output>/libs`. */
  libsDir: string;
  /** JVM heap size (initial and maximum), `-Xmx` form. */
  heap: string;
  /** Extra JVM flags, placed after the defaults so they win. */
  jvmFlags: string[];
  /** How long one start (or restart) may take until the broker answers DescribeCluster. */
  readyTimeoutMs: number;
  /** How long a SIGTERM may take before the JVM is killed outright. */
  shutdownTimeoutMs: number;
}

/** A native broker, plus where its files are for diagnostics. */
export interface NativeBroker extends RestartableBroker {
  /** The temporary folder holding the config, the data dir and the logs; removed by stop(). */
  readonly workDir: string;
  /** The broker's log4j log file. */
  readonly logFile: string;
}

const DEFAULTS = {
  settings: {},
  listeners: [] as NativeListener[],
  formatArgs: [] as string[],
  heap: '512m',
  jvmFlags: [] as string[],
  readyTimeoutMs: 60_000,
  shutdownTimeoutMs: 15_000,
} satisfies Partial<NativeOptions>;

const NODE_ID = 1;

/**
 * Runs Apache Kafka from the Maven Central jars on the local Java, in KRaft combined mode (broker and
 * controller in one JVM, node id 1), on free loopback ports and a temporary data dir.
 */
export async function startNativeBroker(options: Partial<NativeOptions> = {}): Promise<NativeBroker> {
  const started = Date.now();
  const { java, version } = requireJava(options.java ?? findJava());
  const { settings, listeners, formatArgs, heap, jvmFlags, readyTimeoutMs, shutdownTimeoutMs } = {
    ...DEFAULTS,
    ...options,
  };
  const libsDir = options.libsDir ?? (await resolveLibsDir());
  const kafkaVersion = await kafkaVersionIn(libsDir);
  const classpath = join(libsDir, '*');

  const [port, controllerPort] = (await freePorts(2)) as [number, number];
  const workDir = await mkdtemp(join(tmpdir(), 'kafka-native-'));
  const files = nodeFiles(workDir);
  const brokers = [`127.0.0.1:${port}`];
  const jvm = nodeJvm(files, {
    java,
    classpath,
    heap,
    jvmFlags,
    brokers,
    label: `Kafka ${kafkaVersion} (native)`,
    readyTimeoutMs,
    shutdownTimeoutMs,
    ownedDir: workDir,
  });

  // A test run that ends without stop() must not leave a JVM or a data dir behind.
  const { stop, stopped } = ownedWorkDir(
    workDir,
    () => jvm.killNow(),
    () => jvm.halt('SIGTERM'),
  );

  try {
    const node = { nodeId: NODE_ID, port, controllerPort, dataDir: files.dataDir, listeners };
    await writeNodeFiles(files, brokerSettings(node, settings));
    // With controller.quorum.bootstrap.servers (a dynamic KIP-853 quorum) format must be told the
    // initial voters; --standalone makes this node the only one.
    await formatStorage({
      java,
      classpath,
      ...files,
      clusterId: randomClusterId(),
      quorumArgs: ['--standalone'],
      formatArgs,
    });
    jvm.launch();
    await jvm.waitReady('startup');
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }

  return {
    provider: 'native',
    brokers,
    description: `Apache Kafka ${kafkaVersion} (native, Java ${version})`,
    startupMs: Date.now() - started,
    workDir,
    logFile: files.logFile,
    async restart(signal: 'SIGTERM' | 'SIGKILL', whileDown?: () => Promise<void>): Promise<void> {
      if (stopped()) throw new Error('Cannot restart the native Kafka broker: it was stopped');
      await jvm.halt(signal);
      // Started again even when the caller's outage threw: a broker left down would fail what follows.
      const outage = await whileDown?.().then(
        () => undefined,
        (error: unknown) => ({ error }),
      );
      jvm.launch();
      await jvm.waitReady(`restart after ${signal}`);
      if (outage) throw outage.error;
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
