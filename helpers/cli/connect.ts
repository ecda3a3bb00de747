// Opening the CLI's connection to Kafka, with the one error message a person needs when it fails.
import type { Admin, Kafka } from 'kafkajs';
import { kafkaClient } from '../clients/kafka-client.ts';
import { InfrastructureError } from './exit-codes.ts';

/** The CLI's kafkajs client: the project's one client factory, under the CLI's own client id. */
export const cliKafka = (brokers: string[]): Kafka => kafkaClient(brokers, { clientId: 'ratings-kafka' });

/** A connected admin, or an {@link InfrastructureError} naming the address that did not answer. */
export async function connectAdmin(kafka: Kafka, brokers: string[]): Promise<Admin> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    // connect() alone can succeed against a half-started broker; a metadata round trip cannot.
    await admin.describeCluster();
    return admin;
  } catch (error) {
    await admin.disconnect().catch(() => {});
    throw unreachable(brokers, error);
  }
}

/** The error for a broker that does not answer: the address, the cause, and what to check. */
export function unreachable(brokers: string[], error: unknown): InfrastructureError {
  const reason = error instanceof Error ? error.message : String(error);
  return new InfrastructureError(
    `cannot reach Kafka at ${brokers.join(',')}: ${reason}. Is the broker running, and are KAFKA_BROKERS / --brokers right?`,
  );
}

/** Fails with an {@link InfrastructureError} when `topic` does not exist, saying how to create it. */
export async function requireTopic(admin: Admin, topic: string, brokers: string[]): Promise<void> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) {
    throw new InfrastructureError(
      `topic "${topic}" does not exist on ${brokers.join(',')}; create the contract topics with \`ratings-kafka topics create\`, or pass an existing --topic`,
    );
  }
}
