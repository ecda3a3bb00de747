// The `ratings-kafka` dispatcher: picks the command, maps what escapes it to an exit code.
import { type CliIo, type Command, println } from './command.ts';
import { consumeCommand } from './consume-command.ts';
import { contractsCommand } from './contracts-command.ts';
import {
  describeError,
  EXIT_CODES_HELP,
  EXIT_OK,
  EXIT_USAGE,
  exitCodeFor,
  isUnexpected,
  UsageError,
} from './exit-codes.ts';
import { produceCommand } from './produce-command.ts';
import { topicsCommand } from './topics-command.ts';
import { verifyCommand } from './verify-command.ts';

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [
  topicsCommand,
  produceCommand,
  consumeCommand,
  verifyCommand,
  contractsCommand,
];

const HELP = `Usage: ratings-kafka <command> [options]

The hello-world flows of the MovieLens ratings pipeline against a real Kafka cluster.

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(9)} ${command.summary}`).join('\n')}

Run \`ratings-kafka <command> --help\` for a command's options.

The broker: --brokers host:port[,host:port] or KAFKA_BROKERS. Only \`verify\` starts an embedded
broker when neither is set. KAFKA_LOG_LEVEL=info|debug shows the Kafka client's logs.
Secured clusters: KAFKA_SECURITY_PROTOCOL=SASL_SSL|SSL, KAFKA_SASL_MECHANISM (default scram-sha-512),
KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SSL_CA_FILE (PEM; default: the system's CAs).

${EXIT_CODES_HELP}`;

/** Runs `ratings-kafka <argv>` and resolves to the exit code; never throws. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    println(io.stderr, HELP);
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    println(io.stdout, HELP);
    return EXIT_OK;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  try {
    if (!command) {
      const known = COMMANDS.map((candidate) => candidate.name).join(', ');
      throw new UsageError(
        `unknown command "${name}": expected one of ${known}; see \`ratings-kafka --help\``,
      );
    }
    return await command.run(rest, io);
  } catch (error) {
    const prefix = command ? `ratings-kafka ${command.name}` : 'ratings-kafka';
    println(io.stderr, `${prefix}: ${describeError(error)}`);
    if (isUnexpected(error) && error instanceof Error && error.stack) println(io.stderr, error.stack);
    return exitCodeFor(error);
  }
}
