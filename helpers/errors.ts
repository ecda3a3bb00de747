// The errors this project throws on purpose, as a small typed family: each carries a stable `code`, the
// exit status the CLI maps it to, and the `cause` it wraps. Callers branch on the class, never on a
// message or a name. A bare `Error` left in the code is a bug report: a state that cannot happen.

/** Exit statuses, in one place: scripts and CI branch on these numbers. */
export const EXIT = {
  /** Everything checked out. */
  ok: 0,
  /** A check failed: drift, a refused or invalid event, a verify step that did not pass. */
  checkFailed: 1,
  /** The command line or the environment is wrong: an unknown flag, a bad value, a bad KAFKA_* setting. */
  usage: 2,
  /** The broker could not be reached, refused us, or the infrastructure failed under us. */
  infrastructure: 3,
} as const;

/** The closed list of error codes. */
export type ErrorCode =
  | 'USAGE'
  | 'CONFIG'
  | 'CHECK_FAILED'
  | 'INFRASTRUCTURE'
  | 'UNREACHABLE'
  | 'AUTHORIZATION'
  | 'TIMEOUT';

/** The base of the family: a message a person can act on, a code, and the exit status it means. */
export abstract class ContractsError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly exitCode: number;
}

/** The command line is wrong; the message names the flag and what is expected. */
export class UsageError extends ContractsError {
  override readonly name: string = 'UsageError';
  readonly code: ErrorCode = 'USAGE';
  readonly exitCode: number = EXIT.usage;
}

/** A setting from the environment (KAFKA_PROVIDER, KAFKA_BROKERS, KAFKA_SECURITY_*, PACT_*) is wrong; the message names it. */
export class ConfigError extends UsageError {
  override readonly name: string = 'ConfigError';
  override readonly code: ErrorCode = 'CONFIG';
}

/** A check ran and found something wrong (drift, a refused event, a failed verification). */
export class CheckFailedError extends ContractsError {
  override readonly name: string = 'CheckFailedError';
  readonly code: ErrorCode = 'CHECK_FAILED';
  readonly exitCode: number = EXIT.checkFailed;
}

/** The infrastructure failed under us: no broker could be started, a tool failed, a topic is missing. */
export class InfrastructureError extends ContractsError {
  override readonly name: string = 'InfrastructureError';
  readonly code: ErrorCode = 'INFRASTRUCTURE';
  readonly exitCode: number = EXIT.infrastructure;
}

/** The broker did not answer at the given address. */
export class UnreachableError extends InfrastructureError {
  override readonly name: string = 'UnreachableError';
  override readonly code: ErrorCode = 'UNREACHABLE';
}

/** The broker answered and refused: authentication failed or an ACL is missing. */
export class AuthorizationError extends InfrastructureError {
  override readonly name: string = 'AuthorizationError';
  override readonly code: ErrorCode = 'AUTHORIZATION';
}

/** The exit status for anything that escaped a command: the class decides; anything else is infrastructure. */
export function exitCodeFor(error: unknown): number {
  return error instanceof ContractsError ? error.exitCode : EXIT.infrastructure;
}
