import { KafkaContainer, type StartedKafkaContainer } from '@testcontainers/kafka';
import { Wait } from 'testcontainers';
import { SHORT_LIVED_JVM_FLAGS } from './jvm-flags.ts';
import { BROKER_OVERRIDES, type StartedBroker } from './types.ts';
import versions from './versions.json' with { type: 'json' };
import { waitForBroker } from './wait-ready.ts';
import { containerWatchdog } from './watchdog.ts';

/** The port KafkaContainer publishes its PLAINTEXT listener on inside the container. */
const KAFKA_PORT = 9093;

/** The image the testcontainers provider runs when `KAFKA_IMAGE` is unset. */
export const DEFAULT_KAFKA_IMAGE: string = versions.defaultImage;

/** Turns `a.b.c` broker settings into the `KAFKA_A_B_C` variables Confluent images read. */
export function toConfluentEnv(settings: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(settings).map(([key, value]) => [
      `KAFKA_${key.toUpperCase().replaceAll('.', '_')}`,
      value,
    ]),
  );
}

/** Options for {@link startKafkaContainer}. */
export interface ContainerOptions {
  image: string;
  /** Extra broker settings, `a.b.c` form. */
  settings: Record<string, string>;
  /** Lets a spec add listeners (SASL) or other container settings before start. */
  customize: (container: KafkaContainer) => KafkaContainer;
  /**
   * Publishes the PLAINTEXT listener on this host port instead of a random one: the advertised
   * address is written into the container once, so only a fixed port survives a restart.
   */
  hostPort: number | undefined;
  /** Where TESTCONTAINERS_RYUK_DISABLED is read (see {@link containerWatchdog}). */
  env: NodeJS.ProcessEnv;
}

/** KafkaContainer with its PLAINTEXT listener published on a fixed host port. */
class FixedPortKafkaContainer extends KafkaContainer {
  readonly #hostPort: number;

  constructor(image: string, hostPort: number) {
    super(image);
    this.#hostPort = hostPort;
  }

  protected override async beforeContainerCreated(): Promise<void> {
    await super.beforeContainerCreated();
    // KafkaContainer publishes its port on a random host port here, after any customize hook ran;
    // binding it once more afterwards is the only way the fixed port wins.
    this.withExposedPorts({ container: KAFKA_PORT, host: this.#hostPort });
  }
}

/** Starts `KafkaContainer` (KRaft for cp-kafka >= 8) and waits until it answers by protocol. */
export async function startKafkaContainer(
  options: Partial<ContainerOptions> = {},
): Promise<StartedBroker & { container: StartedKafkaContainer }> {
  const image = options.image ?? DEFAULT_KAFKA_IMAGE;
  const started = Date.now();
  const base = (
    options.hostPort === undefined
      ? new KafkaContainer(image)
      : new FixedPortKafkaContainer(image, options.hostPort)
  )
    .withEnvironment(toConfluentEnv({ ...BROKER_OVERRIDES, ...options.settings }))
    // Honoured by Confluent's kafka-run-class and by the local image's; never turned into a setting.
    .withEnvironment({ KAFKA_OPTS: SHORT_LIVED_JVM_FLAGS.join(' ') })
    // KafkaContainer 12.2 otherwise returns from start() before the broker listens.
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000);
  const container = await (options.customize ?? ((c) => c))(base).start();
  const watchdog = containerWatchdog(container.getId(), options.env ?? process.env);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await container.stop({ remove: true, removeVolumes: true });
    watchdog?.kill('SIGKILL');
  };
  const brokers = [`${container.getHost()}:${container.getMappedPort(KAFKA_PORT)}`];
  try {
    await waitForBroker(brokers);
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
  return {
    provider: 'testcontainers',
    brokers,
    description: image,
    startupMs: Date.now() - started,
    container,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
