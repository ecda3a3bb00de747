// The shape of one CLI command, and the streams it talks to (injectable, so a command never reaches for globals).

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
  /** The full `--help` text. */
  help: string;
  /** Runs the command and returns its exit code; errors it throws are mapped by the dispatcher. */
  run(argv: string[], io: CliIo): Promise<number>;
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
