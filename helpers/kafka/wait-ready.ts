import { logLevel } from 'kafkajs';
import { kafkaClient } from '../clients/kafka-client.ts';

/** Options for {@link waitForBroker}. */
export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
}

const DEFAULTS: WaitOptions = { timeoutMs: 60_000, intervalMs: 200 };

/**
 * Resolves once the cluster answers a DescribeCluster request with a controller, i.e. the broker
 * really speaks Kafka (a listening port is not enough: the socket opens before KRaft is ready).
 */
export async function waitForBroker(brokers: string[], options: Partial<WaitOptions> = {}): Promise<void> {
  const { timeoutMs, intervalMs } = { ...DEFAULTS, ...options };
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
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
      if (cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0) return;
      lastError = new Error(`cluster answered without a controller: ${JSON.stringify(cluster)}`);
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(
    `Kafka at ${brokers.join(',')} did not answer DescribeCluster within ${timeoutMs} ms: ${reason}`,
  );
}
