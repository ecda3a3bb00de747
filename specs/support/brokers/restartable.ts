// A broker a fault spec may bounce: always its own (never the run's shared one), from the run's provider.
import { getContainerRuntimeClient } from 'testcontainers';
import { freePorts, startNativeBroker } from '../../../helpers/kafka/native.ts';
import { DEFAULT_KAFKA_IMAGE, startKafkaContainer } from '../../../helpers/kafka/testcontainers.ts';
import type { ProviderName, RestartableBroker } from '../../../helpers/kafka/types.ts';
import { waitForBroker } from '../../../helpers/kafka/wait-ready.ts';

/** The engine's handle on a container (dockerode's, which testcontainers uses but this project does not depend on). */
type EngineContainer = ReturnType<
  Awaited<ReturnType<typeof getContainerRuntimeClient>>['container']['getById']
>;

/** How one bounce went, in milliseconds. */
export interface RestartTiming {
  signal: 'SIGTERM' | 'SIGKILL';
  /** From the stop request until the broker process was gone. */
  stopMs: number;
  /** How long the caller kept it down (its `whileDown`). */
  outageMs: number;
  /** From the start request until the broker answered DescribeCluster again. */
  startMs: number;
}

/** A restartable broker that times every bounce. */
export interface TimedBroker extends RestartableBroker {
  /** Every restart so far, in order. */
  readonly restarts: readonly RestartTiming[];
}

/** Options of {@link startRestartableBroker}; every field has a default. */
export interface RestartableOptions {
  /** The image for the testcontainers provider: pass the run's, so the fault spec runs the same Kafka. */
  image: string;
  /** How long one start or restart may take until the broker answers by protocol. */
  readyTimeoutMs: number;
  /** How long a clean stop may take before the broker is killed outright. */
  shutdownTimeoutMs: number;
}

const DEFAULTS: RestartableOptions = {
  image: DEFAULT_KAFKA_IMAGE,
  readyTimeoutMs: 60_000,
  shutdownTimeoutMs: 15_000,
};

/**
 * After a SIGKILL the restarted controller keeps the dead broker's registration until its session
 * expires (9 s by default) and refuses the new one meanwhile. Every broker we start uses 3 s; one that
 * specs bounce uses 1.5 s, which took a SIGKILL restart from 5.5 s to 3 s here. Not lower: a broker
 * whose heartbeat misses the session (a stalled JVM on a loaded machine) is fenced mid-test.
 */
export const FAST_REREGISTRATION = {
  'broker.session.timeout.ms': '1500',
  'broker.heartbeat.interval.ms': '250',
};

/** Why a provider's broker cannot be bounced by a spec, or undefined when it can. */
export function notRestartable(provider: ProviderName): string | undefined {
  return provider === 'external'
    ? 'the run uses an external cluster (KAFKA_PROVIDER=external): fault specs never bounce a cluster they did not start'
    : undefined;
}

/**
 * Starts a broker of the given provider that survives restarts on the same data and the same
 * advertised address: native reuses its data dir and ports, a container keeps its filesystem and a
 * fixed host port. External clusters are refused (see {@link notRestartable}).
 */
export async function startRestartableBroker(
  provider: ProviderName,
  options: Partial<RestartableOptions> = {},
): Promise<TimedBroker> {
  const reason = notRestartable(provider);
  if (reason !== undefined) throw new Error(`Cannot start a restartable broker: ${reason}`);
  const settings = { ...DEFAULTS, ...options };
  const broker =
    provider === 'native'
      ? await startNativeBroker({
          settings: FAST_REREGISTRATION,
          readyTimeoutMs: settings.readyTimeoutMs,
          shutdownTimeoutMs: settings.shutdownTimeoutMs,
        })
      : await startRestartableContainer(settings);
  return timed(broker);
}

/** A KafkaContainer on a fixed host port, bounced through the Docker engine. */
async function startRestartableContainer(settings: RestartableOptions): Promise<RestartableBroker> {
  const [hostPort] = await freePorts(1);
  const started = await startKafkaContainer({
    image: settings.image,
    hostPort,
    settings: FAST_REREGISTRATION,
  });
  const client = await getContainerRuntimeClient();
  const container = client.container.getById(started.container.getId());
  return {
    provider: started.provider,
    brokers: started.brokers,
    description: `${started.description} (restartable, host port ${hostPort})`,
    startupMs: started.startupMs,
    async restart(signal, whileDown) {
      if (signal === 'SIGTERM') {
        // Not `docker stop`: PID 1 is KafkaContainer's starter script, which neither handles nor
        // forwards SIGTERM, so the engine would wait out the grace period and SIGKILL the JVM. Signal
        // every process but PID 1 instead, which is the JVM; the script ends with it, and the container too.
        await started.container.exec(['sh', '-c', 'kill -TERM -1']);
        if (!(await exitsWithin(container, settings.shutdownTimeoutMs)))
          await container.kill({ signal: 'KILL' });
      } else {
        await container.kill({ signal: 'KILL' });
      }
      await container.wait();
      const outage = await whileDown?.().then(
        () => undefined,
        (error: unknown) => ({ error }),
      );
      // The entrypoint re-runs KafkaContainer's starter script, which still advertises the fixed port.
      await container.start();
      await waitForBroker(started.brokers, { timeoutMs: settings.readyTimeoutMs, intervalMs: 100 });
      if (outage) throw outage.error;
    },
    stop: started.stop,
    [Symbol.asyncDispose]: started.stop,
  };
}

/** True when the container stops within the timeout. */
async function exitsWithin(container: EngineContainer, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([container.wait().then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Wraps restart() so every bounce is timed, split into stop, outage and start. */
function timed(broker: RestartableBroker): TimedBroker {
  const restarts: RestartTiming[] = [];
  return {
    provider: broker.provider,
    brokers: broker.brokers,
    description: broker.description,
    startupMs: broker.startupMs,
    restarts,
    async restart(signal, whileDown) {
      const requested = performance.now();
      let down = requested;
      let up = requested;
      await broker.restart(signal, async () => {
        down = performance.now();
        try {
          await whileDown?.();
        } finally {
          up = performance.now();
        }
      });
      restarts.push({
        signal,
        stopMs: down - requested,
        outageMs: up - down,
        startMs: performance.now() - up,
      });
    },
    stop: () => broker.stop(),
    [Symbol.asyncDispose]: () => broker.stop(),
  };
}
