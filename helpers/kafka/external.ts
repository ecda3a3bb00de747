import { ConfigError, UsageError } from '../errors.ts';
import type { StartedBroker } from './types.ts';
import { waitForBroker } from './wait-ready.ts';

/** Options of {@link parseBrokerList}. */
export interface BrokerListOptions {
  /**
   * Where the list came from, named in every message: an environment variable (a {@link ConfigError}) or
   * a flag such as `--brokers` (a {@link UsageError}); KAFKA_BROKERS by default.
   */
  source: string;
}

/** Parses `host:port[,host:port]`, rejecting entries without a numeric port; errors name `options.source`. */
export function parseBrokerList(value: string, options: Partial<BrokerListOptions> = {}): string[] {
  const source = options.source ?? 'KAFKA_BROKERS';
  const Failure = source.startsWith('-') ? UsageError : ConfigError;
  const brokers = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (brokers.length === 0) throw new Failure(`${source} is empty: expected host:port[,host:port]`);
  for (const broker of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker)) {
      throw new Failure(`${source} entry "${broker}" is not host:port`);
    }
  }
  return brokers;
}

/** Uses an existing cluster as is: nothing is started, and stop() leaves it running. */
export async function useExternalBroker(list: string): Promise<StartedBroker> {
  const brokers = parseBrokerList(list);
  const started = Date.now();
  await waitForBroker(brokers, { timeoutMs: 15_000 });
  const stop = async (): Promise<void> => {};
  return {
    provider: 'external',
    brokers,
    description: `external cluster ${brokers.join(',')}`,
    startupMs: Date.now() - started,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
