// Starts the one broker of the run and hands its address to every integration spec.
import type { TestProject } from 'vitest/node';
import { provisionBroker } from '../helpers/kafka/provision.ts';
import type { ProviderName } from '../helpers/kafka/types.ts';

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

/** vitest global setup: one broker per run, stopped at teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const broker = await provisionBroker();
  project.provide('kafkaBrokers', broker.brokers);
  project.provide('kafkaProvider', broker.provider);
  project.provide('kafkaDescription', broker.description);
  return () => broker.stop();
}
