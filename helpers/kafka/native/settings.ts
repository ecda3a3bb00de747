// What a native broker is told: its server.properties (KRaft combined mode on loopback, the settings
// every broker of ours carries) and a log4j2 config that keeps its logs out of the test output.
import { BROKER_OVERRIDES } from '../types.ts';

/** One extra listener of a native broker: `name://127.0.0.1:port`, speaking `protocol`. */
export interface NativeListener {
  name: string;
  protocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  port: number;
}

/** Where one node listens and keeps its data. */
export interface NodeLayout {
  nodeId: number;
  port: number;
  controllerPort: number;
  dataDir: string;
  listeners: readonly NativeListener[];
}

/** The cluster a node belongs to: every node's controller port (all of them voters), in node order. */
export interface QuorumLayout {
  controllerPorts: readonly number[];
}

/** The most replicas an internal topic gets, and the in-sync replicas its writes need (as in production). */
const INTERNAL_REPLICAS_MAX = 3;
const INTERNAL_MIN_ISR_MAX = 2;

/**
 * The broker's server.properties: combined broker and controller, loopback only, ours on top. `quorum`
 * defaults to this node alone; with several nodes the internal topics are replicated like production's.
 */
export function brokerSettings(
  node: NodeLayout,
  extra: Record<string, string>,
  quorum: QuorumLayout = { controllerPorts: [node.controllerPort] },
): Record<string, string> {
  const { nodeId, port, controllerPort, dataDir, listeners } = node;
  const size = quorum.controllerPorts.length;
  const replicas = String(Math.min(size, INTERNAL_REPLICAS_MAX));
  const minIsr = String(Math.min(size, INTERNAL_MIN_ISR_MAX));
  return {
    'process.roles': 'broker,controller',
    'node.id': String(nodeId),
    'controller.quorum.bootstrap.servers': quorum.controllerPorts.map((p) => `127.0.0.1:${p}`).join(','),
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
    // Internal topics get as many replicas as the cluster has nodes (one node: one), and one partition
    // each keeps their creation (first consumer group, first transaction, first share group) fast.
    'offsets.topic.replication.factor': replicas,
    'offsets.topic.num.partitions': '1',
    'transaction.state.log.replication.factor': replicas,
    'transaction.state.log.min.isr': minIsr,
    'transaction.state.log.num.partitions': '1',
    'share.coordinator.state.topic.replication.factor': replicas,
    'share.coordinator.state.topic.min.isr': minIsr,
    'share.coordinator.state.topic.num.partitions': '1',
    // After a SIGKILL the restarted controller still holds the dead broker's registration and
    // refuses the new one until that session expires (9 s by default); keep the wait short.
    'broker.session.timeout.ms': '3000',
    'broker.heartbeat.interval.ms': '500',
    ...BROKER_OVERRIDES,
    ...extra,
  };
}

/** Renders settings as a Java properties file; values here never need escaping beyond backslashes. */
export function toProperties(settings: Record<string, string>): string {
  return `${Object.entries(settings)
    .map(([key, value]) => `${key}=${value.replaceAll('\\', '\\\\')}`)
    .join('\n')}\n`;
}

/** The broker would otherwise log to the console of whoever runs the tests. */
export const LOG4J2_XML = `<?xml version="1.0" encoding="UTF-8"?>
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
