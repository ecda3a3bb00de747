// Runs the Pact Broker CLI (`pact broker ...`, the Rust binary of @pact-foundation/pact-cli) for the npm
// scripts. Credentials reach it only through its environment (PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME and
// PACT_BROKER_PASSWORD, which it reads itself): never as arguments, and redacted from anything printed.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { ConfigError } from '../errors.ts';
import { maskSecrets } from '../tools/run-tool.ts';

/** The Pact Broker this run talks to, from the environment. */
export interface BrokerSettings {
  baseUrl: string;
  /** Values that must never be printed: the token, the password, and their encoded forms. */
  secrets: string[];
}

/** Reads the broker settings, failing with a message that says what to set when the base URL is missing. */
export function brokerSettings(env: NodeJS.ProcessEnv = process.env): BrokerSettings {
  const baseUrl = env.PACT_BROKER_BASE_URL?.trim();
  if (!baseUrl) {
    throw new ConfigError(
      'PACT_BROKER_BASE_URL is not set: set it to the Pact Broker base URL, with PACT_BROKER_TOKEN ' +
        '(or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD) for its credentials',
    );
  }
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ConfigError('PACT_BROKER_BASE_URL is not a URL');
  }
  // Credentials in the URL would end up in arguments and logs.
  if (url.username || url.password)
    throw new ConfigError(
      'PACT_BROKER_BASE_URL carries credentials: use PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD',
    );
  const { PACT_BROKER_TOKEN: token, PACT_BROKER_USERNAME: user, PACT_BROKER_PASSWORD: password } = env;
  const secrets = [token, password, password && Buffer.from(`${user ?? ''}:${password}`).toString('base64')];
  return { baseUrl, secrets: secrets.filter((secret): secret is string => Boolean(secret)) };
}

/** Replaces every secret in `text` with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  return maskSecrets(text, secrets);
}

/** Path of the `pact` binary of the installed @pact-foundation/pact-cli (its platform package). */
export function pactBinary(): string {
  const require = createRequire(import.meta.url);
  const { standalone } = require('@pact-foundation/pact-cli/src/pact-standalone') as {
    standalone: () => { pactFullPath: string };
  };
  return standalone().pactFullPath;
}

/**
 * Runs `pact broker <args>` with this process's environment, printing its output line by line with the
 * secrets redacted; resolves with its exit code.
 */
export function runBroker(args: readonly string[], settings: BrokerSettings): Promise<number> {
  const safe = (text: string) => redact(text, settings.secrets);
  console.log(safe(`$ pact broker ${args.join(' ')}`));
  return new Promise((resolve, reject) => {
    const child = spawn(pactBinary(), ['broker', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // No usage telemetry: the CLI talks to the Pact Broker it is given and nothing else.
      env: { ...process.env, PACT_DO_NOT_TRACK: 'true' },
    });
    // Whole lines only: a secret split across two chunks would escape a chunk-wise redaction.
    const streams = [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ] as const;
    const closed = streams.map(
      ([from, to]) =>
        new Promise<void>((done) =>
          createInterface({ input: from, crlfDelay: Number.POSITIVE_INFINITY })
            .on('line', (line) => to.write(`${safe(line)}\n`))
            .on('close', done),
        ),
    );
    child.on('error', reject);
    child.on('close', (code, signal) => {
      void Promise.all(closed).then(() => resolve(code ?? (signal ? 128 : 1)));
    });
  });
}

/** Entry point of a broker npm script: builds the arguments, runs the CLI, exits with its code or a message. */
export async function brokerScript(buildArgs: (settings: BrokerSettings) => string[]): Promise<void> {
  let settings: BrokerSettings | undefined;
  try {
    settings = brokerSettings();
    process.exitCode = await runBroker(buildArgs(settings), settings);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(settings ? redact(message, settings.secrets) : message);
    process.exitCode = 1;
  }
}
