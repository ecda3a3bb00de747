// Command-line parsing shared by every command: node:util parseArgs, strict, with errors that name the flag.
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { parseDuration } from './duration.ts';
import { UsageError } from './exit-codes.ts';

/** Flags every command takes. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  brokers: { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

/** parseArgs in strict mode; its errors become {@link UsageError}s pointing at the command's --help. */
export function parseCommandArgs<T extends ParseArgsOptionsConfig>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError(`${usageMessage(error)}; see \`ratings-kafka ${command} --help\``);
  }
}

// parseArgs explains at length how to pass a positional starting with '-'; keep what names the flag.
function usageMessage(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const flag = /'(-[^' ]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${flag ?? message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (!flag) return message;
      return message.includes('argument missing') ? `${flag} needs a value` : `${flag} takes no value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']+)'/.exec(message)?.[1] ?? message}`;
    default:
      return message;
  }
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
