// Opening the CLI's connection to Kafka, with the one error message a person needs when it fails.

import type { Admin, Kafka, KafkaConfig } from 'kafkajs';
import { kafkaClient, securityOf } from '../clients/kafka-client.ts';
import type { SecuritySummary } from '../clients/security.ts';
import { hasErrorType, securityHint } from '../clients/security-hint.ts';
import { AuthorizationError, UnreachableError } from '../errors.ts';
import { InfrastructureError } from './exit-codes.ts';

/**
 * The CLI's kafkajs client: the project's one client factory, under the CLI's own client id, secured by
 * KAFKA_SECURITY_PROTOCOL and friends; incomplete security settings are a ConfigError naming the variable.
 */
export function cliKafka(
  brokers: string[],
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<KafkaConfig> = {},
): Kafka {
  // Incomplete security settings throw a SecurityConfigError, a ConfigError already: exit 2 as it is.
  return kafkaClient(brokers, { clientId: 'ratings-kafka', ...overrides }, env);
}

/** How each admin of {@link connectAdmin} connects, so a refusal on a topic can be explained. */
const securityByAdmin = new WeakMap<Admin, SecuritySummary>();

/** A connected admin, or an {@link InfrastructureError} naming the address that did not answer. */
export async function connectAdmin(kafka: Kafka, brokers: string[]): Promise<Admin> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    // connect() alone can succeed against a half-started broker; a metadata round trip cannot.
    await admin.describeCluster();
    const security = securityOf(kafka);
    if (security) securityByAdmin.set(admin, security);
    return admin;
  } catch (error) {
    await admin.disconnect().catch(() => {});
    throw unreachable(brokers, error, securityOf(kafka));
  }
}

/**
 * The error for a broker that does not answer or refuses the client: the address, the cause, and what to
 * check (the security setting to change when the failure looks like a TLS or SASL mismatch).
 */
export function unreachable(brokers: string[], error: unknown, security?: SecuritySummary): UnreachableError {
  const reason = error instanceof Error ? error.message : String(error);
  const hint = securityHint(error, security);
  return new UnreachableError(
    `cannot reach Kafka at ${brokers.join(',')}: ${reason}. ` +
      (hint
        ? `${hint[0]?.toUpperCase()}${hint.slice(1)}.`
        : 'Is the broker running, and are KAFKA_BROKERS / --brokers right?'),
  );
}

/** Fails with an {@link InfrastructureError} when `topic` does not exist, saying how to create it. */
async function requireTopic(
  admin: Admin,
  topic: string,
  brokers: string[],
  existing?: readonly string[],
): Promise<void> {
  const topics = existing ?? (await admin.listTopics());
  if (!topics.includes(topic)) {
    const security = securityByAdmin.get(admin);
    // A listing leaves out the topics the principal may not describe; asked by name, the broker says so.
    if (security && security.protocol !== 'PLAINTEXT') await requireAccess(admin, topic, brokers, security);
    throw new InfrastructureError(
      `topic "${topic}" does not exist on ${brokers.join(',')}; create the contract topics with \`ratings-kafka topics create\`, or pass an existing --topic`,
    );
  }
}

/**
 * Connects, checks that every topic exists (one listing for them all) and disconnects: the preflight of
 * the commands that read or write topics, so a missing topic is reported before any work starts.
 */
export async function requireTopics(
  kafka: Kafka,
  brokers: string[],
  topics: readonly string[],
): Promise<void> {
  const admin = await connectAdmin(kafka, brokers);
  try {
    const existing = await admin.listTopics();
    for (const topic of topics) await requireTopic(admin, topic, brokers, existing);
  } finally {
    await admin.disconnect();
  }
}

/** Fails with an {@link InfrastructureError} naming the topic and the ACLs to ask for when access is refused. */
async function requireAccess(admin: Admin, topic: string, brokers: string[], security: SecuritySummary) {
  try {
    await admin.fetchTopicMetadata({ topics: [topic] });
  } catch (error) {
    if (!hasErrorType(error, 'TOPIC_AUTHORIZATION_FAILED')) return;
    throw new AuthorizationError(
      `Kafka at ${brokers.join(',')} refused access to topic "${topic}": ${securityHint(error, security, { topic })}`,
    );
  }
}
