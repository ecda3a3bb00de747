import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KAFKA_JVM_FLAGS, SHORT_LIVED_JVM_FLAGS } from './jvm-flags.ts';
import { BROKER_OVERRIDES, type RestartableBroker } from './types.ts';
import { waitForBroker } from './wait-ready.ts';

const execFileAsync = promisify(execFile);

/** The oldest Java major version Apache Kafka 4.x brokers run on. */
export const MIN_JAVA_MAJOR = 17;

/** Options for {@link startNativeBroker}; every field has a default. */
export interface NativeOptions {
  /** Extra broker settings, `a.b.c` form; they win over the defaults and {@link BROKER_OVERRIDES}. */
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

/** One extra listener of a native broker: `name://127.0.0.1:port`, speaking `protocol`. */
export interface NativeListener {
  name: string;
  protocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  port: number;
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

// The broker would otherwise log to the console of whoever runs the tests.
const LOG4J2_XML = `<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="warn">
  <Appenders>
    <File name="file" fileName="\${sys:kafka.logs.dir}/server.log">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </File>
  </Appenders>
  <Loggers>
    <Logger name="kafka.request.logger" level="warn"/>
    <Root level="info">
      <AppenderRef ref="file"/>
    </Root>
  </Loggers>
</Configuration>
`;

const javaVersions = new Map<string, string | undefined>();

/** The `java.version` a java executable reports, or undefined when it cannot be run. */
function javaVersion(java: string): string | undefined {
  if (javaVersions.has(java)) return javaVersions.get(java);
  const result = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 15_000 });
  const version =
    result.error || result.status !== 0 ? undefined : /version "([^"]+)"/.exec(result.stderr)?.[1];
  javaVersions.set(java, version);
  return version;
}

/** The major version of a `java.version` string: `1.8.0_292` is 8, `17.0.15` is 17. */
function javaMajor(version: string): number {
  const parts = version.split(/[.+-]/).map((part) => Number.parseInt(part, 10));
  return parts[0] === 1 ? (parts[1] ?? 0) : (parts[0] ?? 0);
}

/** The java executable to run Kafka with (JAVA_HOME first, then PATH), or undefined when none is >= 17. */
export function findJava(): string | undefined {
  const candidates: string[] = [];
  if (process.env.JAVA_HOME) candidates.push(join(process.env.JAVA_HOME, 'bin', 'java'));
  candidates.push('java');
  for (const java of candidates) {
    const version = javaVersion(java);
    if (version !== undefined && javaMajor(version) >= MIN_JAVA_MAJOR) return java;
  }
  return undefined;
}

/** Resolves the Kafka jars with Maven (cached after the first run) and returns their folder. */
async function resolveLibsDir(): Promise<string> {
  const script = fileURLToPath(new URL('./jars/resolve.sh', import.meta.url));
  try {
    const { stdout } = await execFileAsync('bash', [script], { maxBuffer: 16 * 1024 * 1024 });
    const folder = stdout.trim().split('\n').at(-1);
    if (!folder) throw new Error('it printed no folder');
    return join(folder, 'libs');
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    const reason = stderr || (error instanceof Error ? error.message : String(error));
    throw new Error(`Could not resolve the Kafka jars with ${script} (needs Maven): ${reason}`);
  }
}

/** The Apache Kafka version of the broker jar in the folder. */
async function kafkaVersionIn(libsDir: string): Promise<string> {
  const files = await readdir(libsDir).catch(() => [] as string[]);
  for (const file of files) {
    const match = /^kafka_2\.\d+-(.+)\.jar$/.exec(file);
    if (match?.[1]) return match[1];
  }
  throw new Error(
    `No kafka_2.13-<version>.jar in ${libsDir}: expected the jars helpers/kafka/jars/resolve.sh fetches`,
  );
}

/** Distinct ports that are free on loopback right now. */
export async function freePorts(count: number): Promise<number[]> {
  // All listeners stay open until every port is known, so the OS cannot hand out the same one twice.
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('loopback listener has no port');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** A KRaft cluster id: 16 random bytes, base64url without padding, never starting with `-`. */
function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** The last lines of a file, or an empty string when it does not exist. */
function tail(file: string, lines: number): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Renders settings as a Java properties file; values here never need escaping beyond backslashes. */
function toProperties(settings: Record<string, string>): string {
  return `${Object.entries(settings)
    .map(([key, value]) => `${key}=${value.replaceAll('\\', '\\\\')}`)
    .join('\n')}\n`;
}

/**
 * Runs Apache Kafka from the Maven Central jars on the local Java, in KRaft combined mode (broker and
 * controller in one JVM, node id 1), on free loopback ports and a temporary data dir.
 */
export async function startNativeBroker(options: Partial<NativeOptions> = {}): Promise<NativeBroker> {
  const started = Date.now();
  const java = options.java ?? findJava();
  if (java === undefined) {
    throw new Error(
      `No Java >= ${MIN_JAVA_MAJOR} found in JAVA_HOME or on PATH: the native Kafka broker needs one`,
    );
  }
  const version = javaVersion(java);
  if (version === undefined || javaMajor(version) < MIN_JAVA_MAJOR) {
    throw new Error(
      `${java} reports Java ${version ?? '(unknown)'}; the native Kafka broker needs >= ${MIN_JAVA_MAJOR}`,
    );
  }
  const { settings, listeners, formatArgs, heap, jvmFlags, readyTimeoutMs, shutdownTimeoutMs } = {
    ...DEFAULTS,
    ...options,
  };
  const libsDir = options.libsDir ?? (await resolveLibsDir());
  const kafkaVersion = await kafkaVersionIn(libsDir);
  const classpath = join(libsDir, '*');

  const [port, controllerPort] = await freePorts(2);
  const workDir = await mkdtemp(join(tmpdir(), 'kafka-native-'));
  const dataDir = join(workDir, 'data');
  const logsDir = join(workDir, 'logs');
  const logFile = join(logsDir, 'server.log');
  const consoleFile = join(logsDir, 'console.log');
  const configFile = join(workDir, 'server.properties');
  const log4jFile = join(workDir, 'log4j2.xml');

  let child: ChildProcess | undefined;
  let alive = false;
  let exited: Promise<void> = Promise.resolve();
  let exitCode: number | string | null = null;
  // A test run that ends without stop() must not leave a JVM or a data dir behind.
  const onProcessExit = (): void => {
    child?.kill('SIGKILL');
    rmSync(workDir, { recursive: true, force: true });
  };
  process.on('exit', onProcessExit);

  const brokers = [`127.0.0.1:${port}`];
  const config: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': String(NODE_ID),
    'controller.quorum.bootstrap.servers': `127.0.0.1:${controllerPort}`,
    listeners: [
      `PLAINTEXT://127.0.0.1:${port}`,
      `CONTROLLER://127.0.0.1:${controllerPort}`,
      ...listeners.map((extra) => `${extra.name}://127.0.0.1:${extra.port}`),
    ].join(','),
    'advertised.listeners': [
      `PLAINTEXT://127.0.0.1:${port}`,
      ...listeners.map((extra) => `${extra.name}://127.0.0.1:${extra.port}`),
    ].join(','),
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': [
      'PLAINTEXT:PLAINTEXT',
      'CONTROLLER:PLAINTEXT',
      ...listeners.map((extra) => `${extra.name}:${extra.protocol}`),
    ].join(','),
    'log.dirs': dataDir,
    // One node: internal topics cannot have more replicas, and one partition each keeps their
    // creation (first consumer group, first transaction, first share group) fast.
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '1',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '1',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
    'share.coordinator.state.topic.num.partitions': '1',
    // After a SIGKILL the restarted controller still holds the dead broker's registration and
    // refuses the new one until that session expires (9 s by default); keep the wait short.
    'broker.session.timeout.ms': '3000',
    'broker.heartbeat.interval.ms': '500',
    ...BROKER_OVERRIDES,
    ...settings,
  };

  const jvmArgs = [
    `-Xmx${heap}`,
    `-Xms${heap}`,
    ...KAFKA_JVM_FLAGS,
    ...SHORT_LIVED_JVM_FLAGS,
    ...jvmFlags,
    `-Dlog4j2.configurationFile=${log4jFile}`,
    `-Dkafka.logs.dir=${logsDir}`,
    '-cp',
    classpath,
  ];

  const diagnostics = (): string => {
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
  };

  const launch = (): void => {
    // The JVM writes straight into the file, so nothing of it reaches the test output.
    const out = openSync(consoleFile, 'a');
    try {
      child = spawn(java, [...jvmArgs, 'kafka.Kafka', configFile], {
        cwd: workDir,
        stdio: ['ignore', out, out],
      });
    } finally {
      closeSync(out);
    }
    const current = child;
    alive = true;
    exitCode = null;
    exited = new Promise((resolve) => {
      current.once('exit', (code, signal) => {
        alive = false;
        exitCode = code ?? signal;
        resolve();
      });
      current.once('error', (error) => {
        alive = false;
        exitCode = error.message;
        resolve();
      });
    });
  };

  const waitReady = async (what: string): Promise<void> => {
    const deadline = Date.now() + readyTimeoutMs;
    let settled = false;
    const died = exited.then(() => {
      if (settled) return;
      throw new Error(
        `Kafka ${kafkaVersion} (native) exited with ${exitCode} during ${what}${diagnostics()}`,
      );
    });
    // Short rounds, so no probe loop outlives a JVM that already died.
    const probe = async (): Promise<void> => {
      let lastError: unknown;
      while (alive && !settled && Date.now() < deadline) {
        try {
          await waitForBroker(brokers, {
            timeoutMs: Math.min(2_000, deadline - Date.now()),
            intervalMs: 100,
          });
          return;
        } catch (error) {
          lastError = error;
        }
      }
      if (!alive || settled) return;
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(
        `Kafka ${kafkaVersion} (native) did not become ready within ${readyTimeoutMs} ms during ${what}: ` +
          `${reason}${diagnostics()}`,
      );
    };
    try {
      await Promise.race([probe(), died]);
    } finally {
      settled = true;
    }
  };

  const halt = async (signal: 'SIGTERM' | 'SIGKILL'): Promise<void> => {
    const current = child;
    if (current === undefined || !alive) return;
    current.kill(signal);
    if (signal === 'SIGTERM') {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), shutdownTimeoutMs);
      });
      const late = await Promise.race([exited.then(() => false), timedOut]);
      clearTimeout(timer);
      if (late) current.kill('SIGKILL');
    }
    await exited;
  };

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    try {
      await halt('SIGTERM');
    } finally {
      process.off('exit', onProcessExit);
      await rm(workDir, { recursive: true, force: true });
    }
  };

  try {
    await mkdir(dataDir);
    await mkdir(logsDir);
    await writeFile(configFile, toProperties(config));
    await writeFile(log4jFile, LOG4J2_XML);
    try {
      // With controller.quorum.bootstrap.servers (a dynamic KIP-853 quorum) format must be told the
      // initial voters; --standalone makes this node the only one.
      await execFileAsync(
        java,
        [
          '-Xmx256m',
          ...SHORT_LIVED_JVM_FLAGS,
          `-Dlog4j2.configurationFile=${log4jFile}`,
          `-Dkafka.logs.dir=${logsDir}`,
          '-cp',
          classpath,
          'kafka.tools.StorageTool',
          'format',
          '--cluster-id',
          randomClusterId(),
          '--config',
          configFile,
          '--standalone',
          ...formatArgs,
        ],
        { cwd: workDir },
      );
    } catch (error) {
      const output = error as { stdout?: string; stderr?: string };
      const printed = [output.stdout, output.stderr].join('\n').trim();
      const reason = printed || (error instanceof Error ? error.message : String(error));
      // The failed command line (and StorageTool's complaint about an argument) would echo credentials.
      const masked = formatArgs
        .filter((arg) => !arg.startsWith('--'))
        .reduce((text, secret) => text.replaceAll(secret, '(masked format argument)'), reason);
      throw new Error(
        `Formatting the KRaft storage in ${dataDir} with kafka.tools.StorageTool failed: ${masked}`,
      );
    }
    launch();
    await waitReady('startup');
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
    logFile,
    async restart(signal: 'SIGTERM' | 'SIGKILL', whileDown?: () => Promise<void>): Promise<void> {
      if (stopped) throw new Error('Cannot restart the native Kafka broker: it was stopped');
      await halt(signal);
      // Started again even when the caller's outage threw: a broker left down would fail what follows.
      const outage = await whileDown?.().then(
        () => undefined,
        (error: unknown) => ({ error }),
      );
      launch();
      await waitReady(`restart after ${signal}`);
      if (outage) throw outage.error;
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
