import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { registerLz4Codec } from './lz4-codec.ts';

let warningFilterInstalled = false;

/**
 * kafkajs 2.2.4 schedules its throttle check with `setTimeout(fn, negative)` when not throttled;
 * Node >= 23 warns about it (TimeoutNegativeWarning) though it behaves as before (1 ms). Drop that
 * one warning so real ones stay visible.
 */
function filterKafkajsTimeoutWarning(): void {
  if (warningFilterInstalled) return;
  warningFilterInstalled = true;
  const listeners = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    if (listeners.length === 0) console.warn(warning);
    for (const listener of listeners) listener(warning);
  });
}

/**
 * The one way this project builds a kafkajs client: LZ4 registered (the `ratings` topic is LZ4
 * whatever the producer sends), quiet logs unless KAFKA_LOG_LEVEL asks, short timeouts that fail loudly.
 */
export function kafkaClient(brokers: string[], overrides: Partial<KafkaConfig> = {}): Kafka {
  registerLz4Codec();
  filterKafkajsTimeoutWarning();
  const level = process.env.KAFKA_LOG_LEVEL?.toUpperCase() as keyof typeof logLevel | undefined;
  return new Kafka({
    clientId: 'kafka-contracts',
    brokers,
    logLevel: level && level in logLevel ? logLevel[level] : logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { retries: 5, initialRetryTime: 100 },
    ...overrides,
  });
}
