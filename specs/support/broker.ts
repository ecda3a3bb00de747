// What integration specs share: the run's broker, isolated topics and groups, cleanup with creation.
import { randomUUID } from 'node:crypto';
import { type Admin, CompressionTypes, type Kafka, type Message } from 'kafkajs';
import { inject, onTestFinished } from 'vitest';
import { TOPIC_PROFILES, type TopicProfile, type TopicSpec } from '../../contracts/topics.ts';
import { kafkaClient } from '../../helpers/clients/kafka-client.ts';

/** A kafkajs client on the run's broker, with a unique client id. */
export function runKafka(): Kafka {
  return kafkaClient(inject('kafkaBrokers'), { clientId: `spec-${randomUUID().slice(0, 8)}` });
}

/**
 * Where a factory registers its cleanup: the running test by default. Setup shared by a file's tests
 * (`beforeAll`) passes its own list and runs it in `afterAll`, since a hook has no test to finish.
 */
export type RegisterCleanup = (cleanup: () => Promise<void>) => void;

/** A connected admin client, disconnected when the test finishes (or by `onCleanup`). */
export async function connectedAdmin(
  kafka: Kafka = runKafka(),
  onCleanup: RegisterCleanup = onTestFinished,
): Promise<Admin> {
  const admin = kafka.admin();
  await admin.connect();
  onCleanup(() => admin.disconnect());
  return admin;
}

/** Creates a uniquely named copy of a contract topic (same partitions and configs) and deletes it after the test. */
export async function isolatedTopic(
  spec: TopicSpec,
  kafka: Kafka = runKafka(),
  onCleanup: RegisterCleanup = onTestFinished,
): Promise<TopicSpec> {
  const isolated: TopicSpec = { ...spec, name: `${spec.name}-${randomUUID()}` };
  const admin = await connectedAdmin(kafka, onCleanup);
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic: isolated.name,
        numPartitions: isolated.partitions,
        replicationFactor: isolated.replicationFactor,
        configEntries: Object.entries(isolated.config).map(([name, value]) => ({ name, value })),
      },
    ],
  });
  onCleanup(async () => {
    await admin.deleteTopics({ topics: [isolated.name] }).catch(() => {});
  });
  return isolated;
}

/**
 * The topic profile the suite checks a cluster against: KAFKA_TOPIC_PROFILE (development by default;
 * `production` for a cluster whose topics were made with `topics create --profile production`).
 */
export function suiteTopicProfile(env: NodeJS.ProcessEnv = process.env): TopicProfile {
  const value = (env.KAFKA_TOPIC_PROFILE ?? 'development').trim();
  if (!(TOPIC_PROFILES as readonly string[]).includes(value))
    throw new Error(`KAFKA_TOPIC_PROFILE="${value}" is not one of ${TOPIC_PROFILES.join(', ')}`);
  return value as TopicProfile;
}

/** True when the spec must not create anything (checking a real deployment read-only). */
export const readOnly = (): boolean => process.env.KAFKA_READ_ONLY === 'true';

if (readOnly()) console.info('[skip] specs that create topics or records: KAFKA_READ_ONLY=true');

/** The name of a spec that writes to the cluster, carrying the reason it is skipped in read-only mode. */
export const writes = (name: string): string =>
  readOnly() ? `${name} (skipped: KAFKA_READ_ONLY=true, this spec creates topics or records)` : name;

/**
 * Sends records as they are, bypassing our producer (no validation, no partitioner): how bad input and
 * other clients' records reach a topic in specs.
 */
export async function sendRaw(
  kafka: Kafka,
  topic: string,
  messages: Message[],
  compression: CompressionTypes = CompressionTypes.None,
): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic, compression, messages });
  } finally {
    await producer.disconnect();
  }
}
