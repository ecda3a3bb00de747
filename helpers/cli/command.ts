// The shape of one CLI command, the scaffold every command is built with, and the streams it talks to
// (injectable, so a command never reaches for globals).
import type { ParseArgsOptionsConfig } from 'node:util';
import { parseCommandArgs } from './args.ts';
import { EXIT_OK } from './exit-codes.ts';

/** A stream the CLI writes to; `isTTY` decides whether a progress bar is drawn. */
export interface CliStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Where a command reads its environment and writes its output. */
export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  env: NodeJS.ProcessEnv;
}

/** One `ratings-kafka <name>` command. */
export interface Command {
  name: string;
  /** One line for the top-level help. */
  summary: string;
  /** Runs the command and returns its exit code; errors it throws are mapped by the dispatcher. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/** What a command declares: its flags and help, and what it does with a parsed command line. */
export interface CommandSpec<T extends ParseArgsOptionsConfig> {
  name: string;
  summary: string;
  /** The full `--help` text, printed for `-h`/`--help` before anything else is checked. */
  help: string;
  options: T;
  /** Whether the command takes arguments besides flags (`topics create`). */
  positionals?: boolean;
  /**
   * The command's work. Every usage problem goes into `usage` (`usage.check(...)`), then `usage.done()`
   * reports them all at once before anything touches a broker.
   */
  run(line: ParsedLine<T>, io: CliIo): Promise<number>;
}

/** A command line as {@link parseCommandArgs} read it. */
export type ParsedLine<T extends ParseArgsOptionsConfig> = ReturnType<typeof parseCommandArgs<T>>;

/** The scaffold of every command: parse every flag, answer --help, hand the rest to `run`. */
export function defineCommand<T extends ParseArgsOptionsConfig>(spec: CommandSpec<T>): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    async run(argv, io) {
      const line = parseCommandArgs(spec.name, argv, spec.options, spec.positionals ?? false);
      if ((line.values as { help?: boolean }).help) {
        println(io.stdout, spec.help);
        return EXIT_OK;
      }
      return spec.run(line, io);
    },
  };
}

/** The process's own streams and environment. */
export const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

/** Writes one line. */
export const println = (stream: CliStream, text = ''): void => {
  stream.write(`${text}\n`);
};

/** Writes a value as one line of JSON (the `--json` contract: exactly one object on stdout). */
export const printJson = (stream: CliStream, value: unknown): void => {
  stream.write(`${JSON.stringify(value)}\n`);
};
