// Starts the one broker of the run and hands its address to every integration and spark spec.
import type { TestProject } from 'vitest/node';
import { provisionBroker } from '../helpers/kafka/provision.ts';
import type { ProviderName, StartedBroker } from '../helpers/kafka/types.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap servers of the run's broker. */
    kafkaBrokers: string[];
    /** Which provider started it. */
    kafkaProvider: ProviderName;
    /** Image, Kafka version or external address. */
    kafkaDescription: string;
  }
}

/** The broker every project of the run shares, and how many projects still use it. */
interface SharedBroker {
  broker: Promise<StartedBroker>;
  users: number;
}

// vitest runs a project's global setup once per project that lists it, in the one main process, each
// with its own module instance: the shared broker lives on globalThis so the run still starts only one.
const SHARED = Symbol.for('movielens-kafka-contracts.run-broker');
const registry = globalThis as { [SHARED]?: SharedBroker };

/** vitest global setup: one broker per run, whichever projects run, stopped when the last one tears down. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  registry[SHARED] ??= { broker: provisionBroker(), users: 0 };
  const shared = registry[SHARED];
  shared.users++;
  const broker = await shared.broker;
  project.provide('kafkaBrokers', broker.brokers);
  project.provide('kafkaProvider', broker.provider);
  project.provide('kafkaDescription', broker.description);
  return async () => {
    if (--shared.users > 0) return;
    delete registry[SHARED];
    await broker.stop();
  };
}
