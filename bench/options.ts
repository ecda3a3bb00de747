// The `npm run bench` command line: how big a run, and whether to profile our side.
import { parseArgs } from 'node:util';

/** Settings of one benchmark run. */
export interface BenchOptions {
  /** Events in the throughput and validator phases. */
  events: number;
  /** Seed of the random ratings: every tool gets the same events. */
  seed: number;
  /** Steady rate and length of the end-to-end latency phase. */
  latencyRate: number;
  latencySeconds: number;
  /** Awaited one-at-a-time sends in the reference-document mode. */
  sequentialSends: number;
  /** Turns each throughput tool takes; its fastest run is reported. */
  rounds: number;
  /** Profile our producer and consumer subprocesses with `node --cpu-prof`. */
  profile: boolean;
  quick: boolean;
}

/** The full run the issue asks for. */
export const FULL: Omit<BenchOptions, 'profile' | 'quick'> = {
  events: 1_000_000,
  seed: 20_150_331,
  rounds: 3,
  latencyRate: 1_000,
  latencySeconds: 15,
  sequentialSends: 2_000,
};

/** A smoke run: every phase, a fraction of the load. */
export const QUICK: Omit<BenchOptions, 'profile' | 'quick' | 'seed'> = {
  events: 100_000,
  rounds: 1,
  latencyRate: 1_000,
  latencySeconds: 4,
  sequentialSends: 500,
};

/** The usage text of `npm run bench -- --help`. */
export const USAGE = `Usage: npm run bench -- [--events N] [--quick] [--rounds R] [--seed S] [--profile]

Benchmarks our producer, consumer and validators against raw kafkajs, @platformatic/kafka, kcat,
Kafka's ProducerPerformance / ConsumerPerformance and ajv, on one broker (KAFKA_PROVIDER / KAFKA_BROKERS as for the tests).
Writes reports/bench/bench-<date>.md and .json.

  --events N   events per throughput run (default ${FULL.events}; --quick: ${QUICK.events})
  --quick      a smoke run: fewer events, ${QUICK.rounds} round, a ${QUICK.latencySeconds} s latency phase, ${QUICK.sequentialSends} sequential sends
  --rounds R   turns of every throughput tool, fastest run kept (default ${FULL.rounds}; --quick: ${QUICK.rounds})
  --seed S     seed of the random ratings (default ${FULL.seed})
  --profile    also run our producer and consumer under node --cpu-prof and summarise where time goes`;

/** Parses argv; throws with the usage text on anything it does not understand. */
export function parseBenchOptions(argv: string[]): BenchOptions | 'help' {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  if (values.help) return 'help';
  const quick = values.quick === true;
  const base = quick ? { ...FULL, ...QUICK } : FULL;
  return {
    ...base,
    events: values.events !== undefined ? wholeNumber('events', values.events) : base.events,
    rounds: values.rounds !== undefined ? wholeNumber('rounds', values.rounds, 10) : base.rounds,
    seed: values.seed !== undefined ? wholeNumber('seed', values.seed, SEED_MAX) : base.seed,
    profile: values.profile === true,
    quick,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    options: {
      events: { type: 'string' },
      rounds: { type: 'string' },
      seed: { type: 'string' },
      quick: { type: 'boolean' },
      profile: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

// The CLI's `produce --seed` takes a 32-bit seed (mulberry32's state).
const SEED_MAX = 2 ** 32 - 1;

function wholeNumber(flag: string, value: string, max = Number.MAX_SAFE_INTEGER): number {
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < 1 || number > max) {
    throw new Error(`--${flag} must be a whole number from 1 to ${max}, got "${value}"`);
  }
  return number;
}
