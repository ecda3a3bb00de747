// Command-line parsing shared by every command: node:util parseArgs, with every problem of a command line
// collected and reported at once, each naming its flag.

import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { TOPIC_PROFILES, type TopicProfile } from '../../contracts/topics.ts';
import { parseDuration } from './duration.ts';
import { UsageError } from './exit-codes.ts';

/** Flags every command takes. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  brokers: { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

/** The `--profile` flag of the commands that create or check the contract topics. */
export const PROFILE_OPTION = {
  profile: { type: 'string', default: 'development' },
} as const satisfies ParseArgsOptionsConfig;

/** A topic profile, or a {@link UsageError} listing them. */
export const profileFlag = (value: string): TopicProfile => choiceFlag('profile', value, TOPIC_PROFILES);

/** The values parseArgs gives for `options` in strict mode: typed by the option table. */
type ParsedValues<T extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ options: T; strict: true; allowPositionals: true }>
>['values'];

/**
 * Every usage problem of one command line, collected so the user hears of them all in one try: the
 * parser's (unknown flags, missing values) and each flag check's. `done()` throws one {@link UsageError}
 * listing them all.
 */
export class Usage {
  readonly #command: string;
  readonly #problems: string[] = [];

  constructor(command: string) {
    this.#command = command;
  }

  /** Records a problem. */
  problem(message: string): void {
    this.#problems.push(message);
  }

  /** Runs a flag check: its value, or undefined with the {@link UsageError} it threw recorded. */
  check<T>(parse: () => T): T | undefined {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      this.#problems.push(error.message);
      return undefined;
    }
  }

  /** {@link check} for a check that must wait (a file's size). */
  async checkAsync<T>(parse: () => Promise<T>): Promise<T | undefined> {
    try {
      return await parse();
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      this.#problems.push(error.message);
      return undefined;
    }
  }

  /**
   * Throws one {@link UsageError} naming every problem, if there is any. After it returns, every value
   * a check gave back is defined (a check that failed recorded a problem).
   */
  done(): void {
    const problems = this.#problems;
    const help = `see \`ratings-kafka ${this.#command} --help\``;
    if (problems.length === 1) throw new UsageError(`${problems[0]}; ${help}`);
    if (problems.length > 1)
      throw new UsageError(`${problems.length} problems:\n  - ${problems.join('\n  - ')}\n${help}`);
  }
}

/** A value that is a flag, not a value: `--count --json` leaves --count without one. */
const FLAG_LIKE = /^-{1,2}[a-zA-Z]/;

/**
 * Parses a command line against `options` and collects every problem in the returned {@link Usage}
 * instead of stopping at the first: unknown flags, a string flag without a value, a boolean flag given
 * one, arguments where none are taken. A negative number is a value (`--count -5` is reported by the
 * flag's own check as "must be >= 1", not as a missing value). Call `usage.done()` after the flag checks.
 */
export function parseCommandArgs<T extends ParseArgsOptionsConfig>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = false,
): { values: ParsedValues<T>; positionals: string[]; usage: Usage } {
  const usage = new Usage(command);
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const loose = values as Record<string, string | boolean | undefined>;
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const option = options[token.name];
    if (option === undefined) {
      usage.problem(`unknown flag ${token.rawName}`);
      delete loose[token.name];
    } else if (
      option.type === 'string' &&
      (token.value === undefined || (!token.inlineValue && FLAG_LIKE.test(token.value)))
    ) {
      usage.problem(
        token.value === undefined
          ? `${token.rawName} needs a value`
          : `${token.rawName} needs a value, got the flag ${token.value} (write ${token.rawName}=${token.value} for a value starting with -)`,
      );
      delete loose[token.name];
    } else if (option.type === 'boolean' && token.value !== undefined) {
      usage.problem(`${token.rawName} takes no value, got "${token.value}"`);
      delete loose[token.name];
    }
  }
  if (!allowPositionals && positionals.length > 0)
    usage.problem(`unexpected argument ${positionals.join(' ')}`);
  return { values: values as ParsedValues<T>, positionals, usage };
}

/** A whole number >= `min`, or a {@link UsageError} naming the flag. */
export function integerFlag(flag: string, value: string, min = 1): number {
  const number = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min) {
    throw new UsageError(`--${flag} must be a whole number >= ${min}, got "${value}"`);
  }
  return number;
}

/** A finite number > 0, or a {@link UsageError} naming the flag. */
export function positiveNumberFlag(flag: string, value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
    throw new UsageError(`--${flag} must be a number > 0, got "${value}"`);
  }
  return number;
}

/** A duration (`500ms`, `30s`, `2m`), or a {@link UsageError} naming the flag. */
export function durationFlag(flag: string, value: string): number {
  try {
    const ms = parseDuration(value);
    if (ms <= 0) throw new RangeError(`"${value}" is not longer than zero`);
    return ms;
  } catch (error) {
    throw new UsageError(`--${flag}: ${(error as Error).message}`);
  }
}

/** One of the allowed values, or a {@link UsageError} listing them. */
export function choiceFlag<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, got "${value}"`);
  }
  return value as T;
}

/** A topic name Kafka accepts: 1-249 of [a-zA-Z0-9._-], not `.` or `..`. */
export function topicFlag(flag: string, value: string): string {
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(value) || value === '.' || value === '..') {
    throw new UsageError(`--${flag} "${value}" is not a valid Kafka topic name (1-249 of a-z A-Z 0-9 . _ -)`);
  }
  return value;
}
