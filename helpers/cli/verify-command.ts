// `ratings-kafka verify`: the hello-world phase check, against KAFKA_BROKERS or an embedded broker.

import { securityOf } from '../clients/kafka-client.ts';
import { ContractsError } from '../errors.ts';
import { runVerify, VERIFY_STEPS, type VerifyStep } from '../flows/verify-flow.ts';
import type { StartedBroker } from '../kafka/types.ts';
import { providerChoiceProblem } from '../kafka/types.ts';
import { COMMON_OPTIONS, PROFILE_OPTION, profileFlag } from './args.ts';
import { brokersFrom } from './brokers.ts';
import { type CliIo, type Command, defineCommand, printJson, println } from './command.ts';
import { cliKafka, unreachable } from './connect.ts';
import {
  describeError,
  EXIT_CHECK_FAILED,
  EXIT_CODES_HELP,
  EXIT_INFRASTRUCTURE,
  EXIT_OK,
  InfrastructureError,
} from './exit-codes.ts';
import { formatDuration } from './format.ts';

const OPTIONS = { ...COMMON_OPTIONS, ...PROFILE_OPTION } as const;

const HELP = `Usage: ratings-kafka verify [options]

Checks the whole hello-world phase and prints PASS/FAIL with the time of each step:
${VERIFY_STEPS.map((step, index) => `  ${index + 1}. ${step}`).join('\n')}
Only this run's records count (they carry run-id and seq headers, and a fresh consumer group starts
where the topic ended), so old or concurrent data on a shared cluster does not disturb the result.

The broker: --brokers, else KAFKA_BROKERS; when neither is set, an embedded broker is started the
way the test suite does (KAFKA_PROVIDER=auto|testcontainers|native) and stopped at the end.

Options:
  --profile development|production  topic profile to create and check (default development)
  --brokers host:port[,host:port]   bootstrap servers (default: KAFKA_BROKERS, else an embedded broker)
  --json                            print one JSON object on stdout instead of text
  -h, --help                        show this help

${EXIT_CODES_HELP}`;

/** The `verify` command. */
export const verifyCommand: Command = defineCommand({
  name: 'verify',
  summary: 'check the whole phase end to end: topics, produce, consume, offsets, metrics (PASS/FAIL)',
  help: HELP,
  options: OPTIONS,
  async run({ values, usage }, io) {
    const checkedProfile = usage.check(() => profileFlag(values.profile));
    const json = values.json === true;
    const given = usage.check(() => brokersFrom(values.brokers, io.env));
    const protocol = io.env.KAFKA_SECURITY_PROTOCOL?.trim();
    if (!given && protocol && protocol.toUpperCase() !== 'PLAINTEXT') {
      usage.problem(
        `KAFKA_SECURITY_PROTOCOL=${protocol} needs a secured cluster: set KAFKA_BROKERS or --brokers to it ` +
          '(the embedded broker verify starts without them speaks PLAINTEXT only)',
      );
    }
    // Only the embedded broker is chosen by KAFKA_PROVIDER; a wrong name is the user's to fix (exit 2).
    const providerProblem = given ? undefined : providerChoiceProblem(io.env.KAFKA_PROVIDER);
    if (providerProblem !== undefined) usage.problem(providerProblem);
    usage.done();
    const profile = checkedProfile!;
    const guard = given ? undefined : new EmbeddedBrokerGuard();
    const embedded = guard ? await startEmbedded(guard, io) : undefined;
    const brokers = embedded?.brokers ?? given ?? [];
    try {
      const started = performance.now();
      const kafka = cliKafka(brokers, io.env);
      const result = await runVerify(kafka, {
        profile,
        explainUnreachable: (error) => unreachable(brokers, error, securityOf(kafka)).message,
        onStep: (step) => {
          if (!json) printStep(io, step);
        },
      });
      const elapsedMs = Math.round(performance.now() - started);
      if (json) {
        printJson(io.stdout, {
          command: 'verify',
          ok: result.ok,
          runId: result.runId,
          brokers,
          elapsedMs,
          steps: result.steps,
        });
      } else {
        println(
          io.stdout,
          `${result.ok ? 'PASS' : 'FAIL'}  verify against ${brokers.join(',')} (${formatDuration(elapsedMs)})`,
        );
      }
      if (result.ok) return EXIT_OK;
      return result.unreachable ? EXIT_INFRASTRUCTURE : EXIT_CHECK_FAILED;
    } finally {
      guard?.release();
      await embedded?.stop();
    }
  },
});

async function startEmbedded(guard: EmbeddedBrokerGuard, io: CliIo): Promise<StartedBroker> {
  println(io.stderr, 'No KAFKA_BROKERS or --brokers: starting an embedded broker for this check...');
  try {
    // Loaded on demand: testcontainers weighs ~0.5 s of start-up that produce and consume never need.
    const { optionsFromEnv, provisionBroker } = await import('../kafka/provision.ts');
    return await guard.adopt(
      provisionBroker({ ...optionsFromEnv(io.env), log: (line) => println(io.stderr, line) }),
    );
  } catch (error) {
    guard.release();
    // Our errors keep their class, so their exit code: a wrong KAFKA_* setting is the user's to fix (2),
    // not the infrastructure's (3). The line above already says a broker was being started.
    if (error instanceof ContractsError) throw error;
    throw new InfrastructureError(`could not start an embedded broker: ${describeError(error)}`, {
      cause: error,
    });
  }
}

function printStep(io: CliIo, step: VerifyStep): void {
  const timing = step.status === 'SKIP' ? '' : ` (${formatDuration(step.ms)})`;
  println(io.stdout, `${step.status.padEnd(4)}  ${step.name}${timing}`);
  for (const detail of step.details) println(io.stdout, `      ${detail}`);
}

/**
 * Ctrl-C must not leave an embedded broker's JVM (or its data dir) behind, even while it is starting:
 * on SIGINT/SIGTERM the broker is stopped as soon as it exists, then the process exits as the signal would.
 */
class EmbeddedBrokerGuard {
  #broker: StartedBroker | undefined;
  #signal: NodeJS.Signals | undefined;
  readonly #handler = (signal: NodeJS.Signals): void => {
    this.#signal = signal;
    if (this.#broker) this.#exitAfterStop(this.#broker);
  };

  constructor() {
    process.once('SIGINT', this.#handler);
    process.once('SIGTERM', this.#handler);
  }

  /** Takes charge of the broker being started; if a signal came meanwhile, stops it and exits. */
  async adopt(starting: Promise<StartedBroker>): Promise<StartedBroker> {
    const broker = await starting;
    this.#broker = broker;
    if (this.#signal) {
      // Interrupted while starting: never run the check on a broker that is going away.
      await broker.stop();
      process.exit(this.#exitCode());
    }
    return broker;
  }

  /** Removes the signal handlers once the command stops the broker itself. */
  release(): void {
    process.off('SIGINT', this.#handler);
    process.off('SIGTERM', this.#handler);
  }

  #exitAfterStop(broker: StartedBroker): void {
    void broker.stop().finally(() => process.exit(this.#exitCode()));
  }

  // What a shell reports for a process killed by the signal: 128 + its number.
  #exitCode(): number {
    return this.#signal === 'SIGINT' ? 130 : 143;
  }
}
