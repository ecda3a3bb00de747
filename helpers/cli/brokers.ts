// Where the broker is: `--brokers` wins over KAFKA_BROKERS; nothing else is guessed.
import { parseBrokerList } from '../kafka/external.ts';
import { UsageError } from './exit-codes.ts';

/** What to tell someone who gave no broker address. */
export const NO_BROKERS_MESSAGE =
  'no Kafka broker address: set KAFKA_BROKERS=host:port[,host:port] or use --brokers host:port[,host:port]';

/** The bootstrap servers from `--brokers` or KAFKA_BROKERS, or undefined when neither is set. */
export function brokersFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string[] | undefined {
  const [source, value] = flag !== undefined ? ['--brokers', flag] : ['KAFKA_BROKERS', env.KAFKA_BROKERS];
  if (value === undefined || (source === 'KAFKA_BROKERS' && value.trim() === '')) return undefined;
  return parseBrokerList(value, { source });
}

/** Like {@link brokersFrom}, for the commands that never start a broker themselves. */
export function requireBrokers(flag: string | undefined, env: NodeJS.ProcessEnv): string[] {
  const brokers = brokersFrom(flag, env);
  if (!brokers) throw new UsageError(NO_BROKERS_MESSAGE);
  return brokers;
}
