import { ConfigError, InfrastructureError } from '../errors.ts';
import { dockerEngineAnswers, imageIsLocal } from './docker-engine.ts';
import { useExternalBroker } from './external.ts';
import { findJava, startNativeBroker } from './native.ts';
import { DEFAULT_KAFKA_IMAGE, startKafkaContainer } from './testcontainers.ts';
import {
  type ProviderChoice,
  type ProviderName,
  providerChoiceProblem,
  type StartedBroker,
} from './types.ts';
import versions from './versions.json' with { type: 'json' };

/** The image `npm run kafka:image` builds for machines that cannot pull. */
export const LOCAL_KAFKA_IMAGE: string = versions.localImage;

/** Settings read from the environment; every field has a default. */
export interface ProvisionOptions {
  provider: ProviderChoice;
  brokers: string | undefined;
  image: string | undefined;
  log: (line: string) => void;
}

/** The message given when no provider can serve: it names all three ways to get a broker. */
export const NO_BROKER_MESSAGE = [
  'No Kafka broker available. Give this project one of:',
  '  1. an existing cluster: KAFKA_BROKERS=host:9092 (KAFKA_PROVIDER=external)',
  '  2. a Docker engine for Testcontainers (KAFKA_PROVIDER=testcontainers; KAFKA_IMAGE, or `npm run kafka:image` where images cannot be pulled)',
  '  3. Java >= 17 and Maven for the native Apache Kafka broker (KAFKA_PROVIDER=native)',
].join('\n');

/** Reads KAFKA_PROVIDER / KAFKA_BROKERS / KAFKA_IMAGE, rejecting unknown provider names. */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): ProvisionOptions {
  const problem = providerChoiceProblem(env.KAFKA_PROVIDER);
  if (problem !== undefined) throw new ConfigError(problem);
  const provider = (env.KAFKA_PROVIDER ?? 'auto').trim() as ProviderChoice;
  return {
    provider,
    brokers: env.KAFKA_BROKERS?.trim() || undefined,
    image: env.KAFKA_IMAGE?.trim() || undefined,
    log: (line) => console.log(line),
  };
}

/** Picks the image: the requested one, else the default, else the locally built one if only it is present. */
async function chooseImage(requested: string | undefined): Promise<string> {
  if (requested) return requested;
  if (await imageIsLocal(DEFAULT_KAFKA_IMAGE)) return DEFAULT_KAFKA_IMAGE;
  if (await imageIsLocal(LOCAL_KAFKA_IMAGE)) return LOCAL_KAFKA_IMAGE;
  return DEFAULT_KAFKA_IMAGE;
}

async function startContainer(image: string): Promise<StartedBroker> {
  if (image === LOCAL_KAFKA_IMAGE) {
    // Machines that need the local image cannot pull Ryuk either; the suite stops its own container.
    process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
    process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';
  }
  return startKafkaContainer({ image });
}

/** Gives the caller one broker, from the provider chosen by the options (see README, "Choosing a broker"). */
export async function provisionBroker(overrides: Partial<ProvisionOptions> = {}): Promise<StartedBroker> {
  const options = { ...optionsFromEnv(), ...overrides };
  const started = Date.now();
  const broker = await choose(options);
  options.log(
    `[kafka] provider=${broker.provider} running ${broker.description} at ${broker.brokers.join(',')} ` +
      `(ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  return broker;
}

/** One way to get a broker: why it cannot serve here (undefined when it can), and how it starts one. */
interface Provider {
  readonly name: ProviderName;
  /** Why this provider cannot serve on this machine with these options, or undefined when it can. */
  unavailable(options: ProvisionOptions): Promise<string | undefined>;
  start(options: ProvisionOptions): Promise<StartedBroker>;
}

/** The providers, in the order `auto` tries them (see README, "Choosing a broker"). */
const PROVIDERS: readonly Provider[] = [
  {
    name: 'external',
    unavailable: async ({ brokers }) => (brokers ? undefined : 'KAFKA_BROKERS is not set'),
    start: ({ brokers }) => useExternalBroker(brokers ?? ''),
  },
  {
    name: 'testcontainers',
    unavailable: async () => ((await dockerEngineAnswers()) ? undefined : 'no Docker engine answers'),
    start: async ({ image }) => startContainer(await chooseImage(image)),
  },
  {
    name: 'native',
    unavailable: async () => (findJava() ? undefined : 'no Java >= 17 was found'),
    start: () => startNativeBroker(),
  },
];

/** The provider `options.provider` names, or for `auto` the first that can serve, falling through on failure. */
async function choose(options: ProvisionOptions): Promise<StartedBroker> {
  if (options.provider !== 'auto') {
    const provider = PROVIDERS.find((candidate) => candidate.name === options.provider)!;
    const reason = await provider.unavailable(options);
    if (reason !== undefined) {
      // A named external cluster without an address is the user's setting to fix; a missing engine is not.
      if (provider.name === 'external')
        throw new ConfigError('KAFKA_PROVIDER=external needs KAFKA_BROKERS=host:port[,host:port]');
      throw new InfrastructureError(`KAFKA_PROVIDER=${provider.name} but ${reason}.\n${NO_BROKER_MESSAGE}`);
    }
    return provider.start(options);
  }
  let lastFailure: unknown;
  for (const provider of PROVIDERS) {
    if ((await provider.unavailable(options)) !== undefined) continue;
    // KAFKA_BROKERS names the cluster to use: never fall back from it to a broker of our own.
    if (provider.name === 'external') return provider.start(options);
    try {
      return await provider.start(options);
    } catch (error) {
      lastFailure = error;
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      options.log(`[kafka] ${provider.name} could not start a broker (${reason}); trying the next provider`);
    }
  }
  throw lastFailure ?? new InfrastructureError(NO_BROKER_MESSAGE);
}
