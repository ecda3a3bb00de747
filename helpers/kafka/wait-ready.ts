import { logLevel } from 'kafkajs';
import { kafkaClient } from '../clients/kafka-client.ts';
import { pollUntil } from '../wait/poll-until.ts';

/** Options for {@link waitForBroker}. */
export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
  /** Stops waiting early, e.g. when the broker's process has exited. */
  signal: AbortSignal | undefined;
}

const DEFAULTS: WaitOptions = { timeoutMs: 60_000, intervalMs: 50, signal: undefined };

/**
 * One DescribeCluster through a fresh, non-retrying admin (a node that is down fails at once): what the
 * readiness waits of single brokers and clusters probe.
 */
export async function describeClusterOnce(
  brokers: string[],
): Promise<{ brokers: number; controller: number | null }> {
  // Through the project's client factory, which also silences kafkajs' TimeoutNegativeWarning on Node >= 23.
  const admin = kafkaClient(brokers, {
    clientId: 'kafka-contracts-ready-probe',
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return { brokers: cluster.brokers.length, controller: cluster.controller };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** The controller id, or null when the cluster answers without one (or without brokers). */
async function controllerOf(brokers: string[]): Promise<number | null> {
  const cluster = await describeClusterOnce(brokers);
  return cluster.brokers > 0 ? cluster.controller : null;
}

/**
 * Resolves once the cluster answers a DescribeCluster request with a controller, i.e. the broker
 * really speaks Kafka (a listening port is not enough: the socket opens before KRaft is ready).
 */
export async function waitForBroker(brokers: string[], options: Partial<WaitOptions> = {}): Promise<void> {
  const { timeoutMs, intervalMs, signal } = { ...DEFAULTS, ...options };
  await pollUntil(
    () => controllerOf(brokers),
    (controller) => controller !== null && controller >= 0,
    {
      what: `Kafka at ${brokers.join(',')} to answer DescribeCluster with a controller`,
      timeoutMs,
      intervalMs,
      // A steady pace: every 100 ms of delay here is 100 ms more per broker restart in the fault specs.
      maxIntervalMs: intervalMs,
      // Refused connections and "not ready" answers are what this wait is for.
      retryOn: () => true,
      show: (controller) => `an answer without a controller (${String(controller)})`,
      ...(signal ? { signal } : {}),
    },
  );
}
