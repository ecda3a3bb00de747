// What the CLI's exit status means, in one place: scripts and CI branch on these numbers.

/** Everything checked out. */
export const EXIT_OK = 0;
/** A check failed: drift, a refused or invalid event, a verify step that did not pass. */
export const EXIT_CHECK_FAILED = 1;
/** The command line is wrong: an unknown flag, a bad value, a missing broker address. */
export const EXIT_USAGE = 2;
/** The broker could not be reached, or the infrastructure failed under us. */
export const EXIT_INFRASTRUCTURE = 3;

/** The exit-code table every `--help` ends with. */
export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0  ok',
  '  1  check failed (drift or missing topic, refused or invalid events, a verify step failed)',
  '  2  usage error (unknown flag, bad value, no broker address)',
  '  3  broker unreachable or infrastructure error',
].join('\n');

/** A mistake on the command line; the message names the flag and says what is expected. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The cluster could not do what was asked (unreachable, missing topic, too few brokers). */
export class InfrastructureError extends Error {
  override readonly name = 'InfrastructureError';
}

/** The exit status for an error that escaped a command. */
export function exitCodeFor(error: unknown): number {
  return error instanceof UsageError ? EXIT_USAGE : EXIT_INFRASTRUCTURE;
}

/** The one line a person reads: kafkajs errors keep their class name, which says what kind of failure it was. */
export function describeError(error: unknown): string {
  if (error instanceof UsageError || error instanceof InfrastructureError) return error.message;
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
    return `${error.name}: ${error.message}${cause}`;
  }
  return String(error);
}
