// Runs the Pact Broker CLI (`pact broker ...`, the Rust binary of @pact-foundation/pact-cli) for the npm
// scripts. Credentials reach it only through its environment (PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME and
// PACT_BROKER_PASSWORD, which it reads itself): never as arguments, and redacted from anything printed.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import {
  AuthorizationError,
  ConfigError,
  type ContractsError,
  EXIT,
  exitCodeFor,
  InfrastructureError,
  UnreachableError,
} from '../errors.ts';
import { maskSecrets } from '../tools/run-tool.ts';

/** The Pact Broker this run talks to, from the environment. */
export interface BrokerSettings {
  baseUrl: string;
  /** Values that must never be printed: the token, the password, and their encoded forms. */
  secrets: string[];
  /** The `authorization` header the credentials make (a secret too), or undefined without credentials. */
  authorization: string | undefined;
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
  const basic = password ? Buffer.from(`${user ?? ''}:${password}`).toString('base64') : undefined;
  const secrets = [token, password, basic];
  return {
    baseUrl,
    secrets: secrets.filter((secret): secret is string => Boolean(secret)),
    authorization: token ? `Bearer ${token}` : basic ? `Basic ${basic}` : undefined,
  };
}

/** How long the Pact Broker's index may take to answer before the broker counts as unreachable. */
const PROBE_TIMEOUT_MS = 10_000;

/**
 * Asks the Pact Broker for its index once, with the run's credentials: an {@link UnreachableError} when
 * nothing answers, an {@link AuthorizationError} when it refuses the credentials. The Pact CLI retries an
 * unreachable broker for about a minute and then exits 1, like a can-i-deploy "no".
 */
export async function probeBroker(settings: BrokerSettings): Promise<void> {
  let response: Response;
  try {
    response = await fetch(settings.baseUrl, {
      headers: {
        accept: 'application/hal+json',
        ...(settings.authorization ? { authorization: settings.authorization } : {}),
      },
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const code = (cause as NodeJS.ErrnoException).code;
    const reason =
      cause instanceof Error && cause.name === 'TimeoutError'
        ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s`
        : typeof code === 'string'
          ? code
          : cause instanceof Error
            ? cause.message
            : String(cause);
    throw new UnreachableError(
      `cannot reach the Pact Broker at PACT_BROKER_BASE_URL=${settings.baseUrl} (${reason}): is it running, and is the URL right?`,
    );
  }
  await response.body?.cancel();
  if (response.status === 401 || response.status === 403) {
    throw new AuthorizationError(
      `the Pact Broker at ${settings.baseUrl} refused the credentials (HTTP ${response.status}): check ` +
        (settings.authorization
          ? 'PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD'
          : 'that none are needed: none are set'),
    );
  }
  if (!response.ok) {
    throw new InfrastructureError(
      `the Pact Broker at ${settings.baseUrl} answered its index with HTTP ${response.status}`,
    );
  }
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

/** What a broker npm script runs, and what a failed run of the Pact CLI means for it. */
export interface BrokerScript {
  /** The `pact broker` arguments; may throw a ConfigError for a missing setting (PACT_BRANCH). */
  args(settings: BrokerSettings): string[];
  /**
   * The error for a CLI run that exited `code` (not 0) once the broker had answered: a can-i-deploy "no"
   * is a failed check (exit 1); for the other commands the broker refused the request (exit 3).
   */
  failure(code: number): ContractsError;
}

/**
 * Entry point of a broker npm script: reads the settings, builds the arguments, checks that the broker
 * answers, runs the CLI. The exit code is the error's class (errors.ts): 2 for a missing or wrong PACT_*
 * setting, 3 for a broker that cannot be reached or refuses us, 1 for a failed check; every message redacted.
 */
export async function brokerScript(script: BrokerScript): Promise<void> {
  let secrets: readonly string[] = [];
  try {
    const settings = brokerSettings();
    secrets = settings.secrets;
    const args = script.args(settings);
    await probeBroker(settings);
    const code = await runBroker(args, settings);
    if (code !== 0) throw script.failure(code);
    process.exitCode = EXIT.ok;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(redact(message, secrets));
    process.exitCode = exitCodeFor(error);
  }
}
