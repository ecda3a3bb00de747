// What the CLI's exit status means, in one place: scripts and CI branch on these numbers. The error
// classes carry them (../errors.ts); this file names them for the commands and the help text.
import kafkajs from 'kafkajs';
import { ContractsError, EXIT } from '../errors.ts';

export { exitCodeFor, InfrastructureError, UsageError } from '../errors.ts';

// Not a named import: Node's ESM loader cannot detect this CommonJS export of kafkajs (vitest can).
const { KafkaJSError } = kafkajs;

/** Everything checked out. */
export const EXIT_OK = EXIT.ok;
/** A check failed: drift, a refused or invalid event, a verify step that did not pass. */
export const EXIT_CHECK_FAILED = EXIT.checkFailed;
/** The command line is wrong: an unknown flag, a bad value, a missing broker address. */
export const EXIT_USAGE = EXIT.usage;
/** The broker could not be reached, or the infrastructure failed under us. */
export const EXIT_INFRASTRUCTURE = EXIT.infrastructure;

/** The exit-code table every `--help` ends with. */
export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0  ok',
  '  1  check failed (drift or missing topic, refused or invalid events, a verify step failed)',
  '  2  usage error (unknown flag, bad value, no broker address, a wrong KAFKA_* setting)',
  '  3  broker unreachable or infrastructure error',
].join('\n');

/** The one line a person reads: our errors say it all; a client's error keeps its class name, which says what kind of failure it was. */
export function describeError(error: unknown): string {
  if (error instanceof ContractsError) return error.message;
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
    return `${error.name}: ${error.message}${cause}`;
  }
  return String(error);
}

/**
 * True for an error nobody threw on purpose (a plain Error, a TypeError): a bug, whose stack helps.
 * Ours and the Kafka client's are expected failures: their message is the whole story.
 */
export function isUnexpected(error: unknown): boolean {
  return !(error instanceof ContractsError) && !(error instanceof KafkaJSError);
}
