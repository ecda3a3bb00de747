import { type Admin, type AdminConfig, Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { registerLz4Codec } from './lz4-codec.ts';
import { resilientAdmin } from './resilient-admin.ts';
import { type SecuritySummary, securityFromEnv } from './security.ts';

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

const securityByClient = new WeakMap<Kafka, SecuritySummary>();

/** kafkajs' client whose admins ride out leadership and metadata races (see resilient-admin.ts). */
class ContractsKafka extends Kafka {
  override admin(config?: AdminConfig): Admin {
    return resilientAdmin(super.admin(config));
  }
}

/**
 * The one way this project builds a kafkajs client: admins that retry races (resilient-admin.ts), LZ4 registered (the `ratings` topic is LZ4
 * whatever the producer sends), quiet logs unless KAFKA_LOG_LEVEL asks, short timeouts that fail loudly,
 * and TLS/SASL from `env`'s KAFKA_SECURITY_PROTOCOL and friends (see security.ts); throws a
 * SecurityConfigError naming the variable when they are incomplete.
 */
export function kafkaClient(
  brokers: string[],
  overrides: Partial<KafkaConfig> = {},
  env: NodeJS.ProcessEnv = process.env,
): Kafka {
  registerLz4Codec();
  filterKafkajsTimeoutWarning();
  const security = securityFromEnv(env);
  const level = env.KAFKA_LOG_LEVEL?.toUpperCase() as keyof typeof logLevel | undefined;
  const kafka = new ContractsKafka({
    clientId: 'kafka-contracts',
    brokers,
    logLevel: level && level in logLevel ? logLevel[level] : logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    // Connection-level retries: how long a client keeps reconnecting to a broker that refuses (about
    // 2.5 s, run once or twice per request). Every field is pinned: under NODE_ENV=test kafkajs fills
    // unset ones with its own test defaults, which would make specs and the CLI behave differently.
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1_000, factor: 0.2, multiplier: 2 },
    ...security.config,
    ...overrides,
  });
  securityByClient.set(kafka, security.summary);
  return kafka;
}

/** How a client of {@link kafkaClient} connects (no password), so its failures can be explained. */
export function securityOf(kafka: Kafka): SecuritySummary | undefined {
  return securityByClient.get(kafka);
}
