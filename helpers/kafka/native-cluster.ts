// The native provider's cluster mode: N Apache Kafka nodes on loopback, each a combined broker and
// controller (all of them voters of one KRaft quorum), each on free ports and a data dir of its own,
// each stoppable, killable and restartable on its own. Built from the same parts as the single broker.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from '../wait/poll-until.ts';
import { kafkaVersionIn, resolveLibsDir } from './native/jars.ts';
import { findJava, requireJava } from './native/java.ts';
import type { KafkaJvm } from './native/jvm-process.ts';
import { type NodeFiles, nodeFiles, nodeJvm, writeNodeFiles } from './native/node.ts';
import { ownedWorkDir } from './native/owned-dir.ts';
import { freePorts } from './native/ports.ts';
import { brokerSettings, type NodeLayout, type QuorumLayout } from './native/settings.ts';
import { formatStorage, randomClusterId } from './native/storage.ts';
import type { StartedBroker } from './types.ts';
import { describeClusterOnce } from './wait-ready.ts';

/** Options of {@link startNativeCluster}; every field has a default. */
export interface ClusterOptions {
  /** How many nodes (each a broker and a controller voter). Three survive one node down with a quorum. */
  nodes: number;
  /** Extra broker settings for every node; they win over the defaults and the project's overrides. */
  settings: Record<string, string>;
  /** Heap of each node (initial and maximum), `-Xmx` form: three of them share the machine. */
  heap: string;
  /** Extra JVM flags for every node. */
  jvmFlags: string[];
  /** The java executable; defaults to {@link findJava}. */
  java: string;
  /** Folder holding the Kafka jars; defaults to `<resolve.sh output>/libs`. */
  libsDir: string;
  /** How long one node's start (or restart) may take until it answers DescribeCluster. */
  readyTimeoutMs: number;
  /** How long a clean stop may take before the node is killed outright. */
  shutdownTimeoutMs: number;
}

/** One node of a {@link NativeCluster}. */
export interface ClusterNode {
  readonly nodeId: number;
  /** Its PLAINTEXT listener, `127.0.0.1:port`: the same across restarts. */
  readonly address: string;
  readonly alive: boolean;
  /** Its broker log, for a failure message. */
  readonly logFile: string;
  /** A clean shutdown (SIGTERM: leadership moved away first; SIGKILL after the shutdown timeout). */
  stop(): Promise<void>;
  /** A crash: SIGKILL, nothing flushed, nothing handed over. */
  kill(): Promise<void>;
  /** Starts it again on the same data dir and ports, and waits until it answers DescribeCluster. */
  start(): Promise<void>;
}

/** A running native cluster. `brokers` lists every node's address; stop() removes every data dir. */
export interface NativeCluster extends StartedBroker {
  readonly nodes: readonly ClusterNode[];
  /** The node with this id; throws for an id the cluster does not have. */
  node(nodeId: number): ClusterNode;
  /** The folder holding every node's folder; removed by stop(). */
  readonly workDir: string;
  /** Resolves once `count` brokers (default: every node) are registered and unfenced. */
  waitForBrokers(count?: number): Promise<void>;
}

/** A node's heap: three nodes, the suite and its clients share 2 cores; 384 MB carried every spec here. */
export const CLUSTER_NODE_HEAP = '384m';

const DEFAULTS = {
  nodes: 3,
  settings: {},
  heap: CLUSTER_NODE_HEAP,
  jvmFlags: [] as string[],
  readyTimeoutMs: 60_000,
  shutdownTimeoutMs: 15_000,
} satisfies Partial<ClusterOptions>;

/** How many unfenced brokers one node reports (a down node fails at once). */
async function registeredAt(address: string): Promise<number> {
  return (await describeClusterOnce([address])).brokers;
}

/** How many unfenced brokers the first node that answers reports; throws the last failure when none does. */
async function registeredBrokers(addresses: readonly string[]): Promise<number> {
  let failure: unknown;
  for (const address of addresses) {
    try {
      return await registeredAt(address);
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

/** What a node is made of before it runs: its files, its settings' layout and its JVM. */
interface Member {
  nodeId: number;
  address: string;
  files: NodeFiles;
  jvm: KafkaJvm;
  layout: NodeLayout;
}

/** Everything the nodes share: the tools, the jars and how long a node may take. */
interface ClusterPlan {
  java: string;
  classpath: string;
  kafkaVersion: string;
  heap: string;
  jvmFlags: string[];
  readyTimeoutMs: number;
  shutdownTimeoutMs: number;
}

/**
 * Lays the nodes out on free loopback ports (a broker and a controller port each) under `workDir`. A voter
 * is id@host:port:directoryId; each node's metadata dir is formatted with its own directory id, listed
 * in `initialControllers`.
 */
async function planMembers(
  size: number,
  workDir: string,
  plan: ClusterPlan,
): Promise<{ members: Member[]; quorum: QuorumLayout; initialControllers: string }> {
  const ports = await freePorts(2 * size);
  const ids = Array.from({ length: size }, (_, index) => index + 1);
  const quorum: QuorumLayout = { controllerPorts: ids.map((_, index) => ports[size + index]!) };
  const directoryIds = ids.map(() => randomClusterId());
  const initialControllers = ids
    .map((id, index) => `${id}@127.0.0.1:${quorum.controllerPorts[index]}:${directoryIds[index]}`)
    .join(',');
  const members = ids.map((nodeId, index): Member => {
    const files = nodeFiles(join(workDir, `node-${nodeId}`));
    const address = `127.0.0.1:${ports[index]}`;
    const jvm = nodeJvm(files, {
      ...plan,
      ownedDir: workDir,
      brokers: [address],
      label: `Kafka ${plan.kafkaVersion} (native cluster, node ${nodeId})`,
    });
    const layout = {
      nodeId,
      port: ports[index]!,
      controllerPort: quorum.controllerPorts[index]!,
      dataDir: files.dataDir,
      listeners: [],
    };
    return { nodeId, address, files, jvm, layout };
  });
  return { members, quorum, initialControllers };
}

/** Resolves once `count` brokers are registered and unfenced, as the first node that answers reports. */
function waitForRegistered(brokers: readonly string[], count: number, timeoutMs: number): Promise<number> {
  return pollUntil(
    () => registeredBrokers(brokers),
    (registered) => registered >= count,
    {
      what: `${count} registered brokers in the native cluster at ${brokers.join(',')}`,
      timeoutMs,
      intervalMs: 50,
      maxIntervalMs: 200,
      retryOn: () => true,
      show: (registered) => `${String(registered)} registered`,
    },
  );
}

/**
 * Starts a KRaft cluster of combined nodes with a dynamic (KIP-853) quorum: every node lists every
 * controller in `controller.quorum.bootstrap.servers` and is formatted with the same
 * `--initial-controllers`, each with a directory id of its own. Resolves once every node is registered.
 */
export async function startNativeCluster(options: Partial<ClusterOptions> = {}): Promise<NativeCluster> {
  const started = Date.now();
  const { java, version } = requireJava(options.java ?? findJava());
  const {
    nodes: size,
    settings,
    heap,
    jvmFlags,
    readyTimeoutMs,
    shutdownTimeoutMs,
  } = {
    ...DEFAULTS,
    ...options,
  };
  const libsDir = options.libsDir ?? (await resolveLibsDir());
  const kafkaVersion = await kafkaVersionIn(libsDir);
  const classpath = join(libsDir, '*');
  const workDir = await mkdtemp(join(tmpdir(), 'kafka-cluster-'));
  const plan = { java, classpath, kafkaVersion, heap, jvmFlags, readyTimeoutMs, shutdownTimeoutMs };
  const { members, quorum, initialControllers } = await planMembers(size, workDir, plan);
  const brokers = members.map((member) => member.address);

  // Killed, not shut down: the data is removed next, and clean shutdowns of every node at once wait out
  // their timeouts once the quorum is gone (controlled shutdown needs a controller majority).
  const { stop, stopped } = ownedWorkDir(
    workDir,
    () => {
      for (const member of members) member.jvm.killNow();
    },
    async () => {
      await Promise.all(members.map((member) => member.jvm.halt('SIGKILL')));
    },
  );
  const waitForBrokers = async (count = size): Promise<void> => {
    await waitForRegistered(brokers, count, readyTimeoutMs);
  };

  try {
    const clusterId = randomClusterId();
    await Promise.all(
      members.map(async ({ files, layout }) => {
        await writeNodeFiles(files, brokerSettings(layout, settings, quorum));
        const quorumArgs = ['--initial-controllers', initialControllers];
        await formatStorage({ java, classpath, ...files, clusterId, quorumArgs, formatArgs: [] });
      }),
    );
    for (const member of members) member.jvm.launch();
    await Promise.all(members.map((member) => member.jvm.waitReady('cluster startup')));
    await waitForBrokers();
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }

  const nodes = members.map((member) => clusterNode(member, stopped));
  return {
    provider: 'native',
    brokers,
    description: `Apache Kafka ${kafkaVersion} (native cluster of ${size} nodes, heap ${heap} each, Java ${version})`,
    startupMs: Date.now() - started,
    workDir,
    nodes,
    node(nodeId) {
      const found = nodes.find((node) => node.nodeId === nodeId);
      if (found === undefined) throw new RangeError(`The native cluster has no node ${nodeId}`);
      return found;
    },
    waitForBrokers,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** The handle on one member: stop, kill and start act on its JVM alone. */
function clusterNode(member: Member, clusterStopped: () => boolean): ClusterNode {
  const { jvm } = member;
  return {
    nodeId: member.nodeId,
    address: member.address,
    logFile: member.files.logFile,
    get alive() {
      return jvm.alive;
    },
    stop: () => jvm.halt('SIGTERM'),
    kill: () => jvm.halt('SIGKILL'),
    async start() {
      if (clusterStopped()) throw new Error(`Cannot start node ${member.nodeId}: the cluster was stopped`);
      if (jvm.alive) return;
      jvm.launch();
      await jvm.waitReady(`restart of node ${member.nodeId}`);
    },
  };
}
