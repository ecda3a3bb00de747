/** The ways this project can obtain a broker; `auto` picks the first that can serve. */
export type ProviderName = 'external' | 'testcontainers' | 'native';

/** What `KAFKA_PROVIDER` may say. */
export type ProviderChoice = ProviderName | 'auto';

const PROVIDER_CHOICES: readonly ProviderChoice[] = ['auto', 'external', 'testcontainers', 'native'];

/** Why a `KAFKA_PROVIDER` value is not a provider, or undefined when it is one (unset means `auto`). */
export function providerChoiceProblem(value: string | undefined): string | undefined {
  const choice = (value ?? 'auto').trim();
  return (PROVIDER_CHOICES as readonly string[]).includes(choice)
    ? undefined
    : `KAFKA_PROVIDER="${choice}" is not one of ${PROVIDER_CHOICES.join(', ')}`;
}

/** A running (or externally managed) Kafka cluster the suite and the CLI can talk to. */
export interface StartedBroker extends AsyncDisposable {
  /** Which provider produced this broker. */
  readonly provider: ProviderName;
  /** Bootstrap servers, `host:port`. */
  readonly brokers: string[];
  /** What runs: an image reference, an Apache Kafka version, or the external address. */
  readonly description: string;
  /** Milliseconds from the start request until the broker answered a metadata request. */
  readonly startupMs: number;
  /** Stops what this project started (a no-op for external clusters). */
  stop(): Promise<void>;
}

/** A broker this project started and can bounce on the same data dir and advertised port. */
export interface RestartableBroker extends StartedBroker {
  /**
   * Stops the broker with the given signal (SIGTERM: clean; SIGKILL: crash) and starts it again;
   * `whileDown` runs once it is down, before the start (an outage as long as the caller needs).
   */
  restart(signal: 'SIGTERM' | 'SIGKILL', whileDown?: () => Promise<void>): Promise<void>;
}

/** Broker settings every broker this project starts must carry. */
export const BROKER_OVERRIDES = {
  // A missing topic must be an error, never a silently created default topic.
  'auto.create.topics.enable': 'false',
  // Consumers join at once instead of waiting 3 s for more members.
  'group.initial.rebalance.delay.ms': '0',
  // Lets specs' consumers use short sessions (the default floor is 6 s), so a killed member leaves
  // its group in seconds instead of holding its partitions; applications keep their own settings.
  'group.min.session.timeout.ms': '1000',
} as const;
