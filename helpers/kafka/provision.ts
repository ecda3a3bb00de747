import { dockerEngineAnswers, imageIsLocal } from './docker-engine.ts';
import { useExternalBroker } from './external.ts';
import { findJava, startNativeBroker } from './native.ts';
import { DEFAULT_KAFKA_IMAGE, startKafkaContainer } from './testcontainers.ts';
import { type ProviderChoice, providerChoiceProblem, type StartedBroker } from './types.ts';
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
  if (problem !== undefined) throw new Error(problem);
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

async function choose(options: ProvisionOptions): Promise<StartedBroker> {
  switch (options.provider) {
    case 'external':
      if (!options.brokers)
        throw new Error('KAFKA_PROVIDER=external needs KAFKA_BROKERS=host:port[,host:port]');
      return useExternalBroker(options.brokers);
    case 'testcontainers':
      if (!(await dockerEngineAnswers())) {
        throw new Error(`KAFKA_PROVIDER=testcontainers but no Docker engine answers.\n${NO_BROKER_MESSAGE}`);
      }
      return startContainer(await chooseImage(options.image));
    case 'native':
      if (!findJava())
        throw new Error(`KAFKA_PROVIDER=native but no Java >= 17 was found.\n${NO_BROKER_MESSAGE}`);
      return startNativeBroker();
    case 'auto': {
      if (options.brokers) return useExternalBroker(options.brokers);
      if (await dockerEngineAnswers()) {
        const image = await chooseImage(options.image);
        try {
          return await startContainer(image);
        } catch (error) {
          if (!findJava()) throw error;
          const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
          options.log(`[kafka] Testcontainers could not start ${image} (${reason}); using the native broker`);
        }
      }
      if (findJava()) return startNativeBroker();
      throw new Error(NO_BROKER_MESSAGE);
    }
  }
}
