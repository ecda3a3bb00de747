// Client security from the environment (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_*): validated up
// front, with errors that name the variable and never its secret, and a password that stays out of anything printed.

import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { ConfigError } from '../errors.ts';

/** The values KAFKA_SECURITY_PROTOCOL accepts; PLAINTEXT when unset. */
export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_SSL'] as const;
/** How the client talks to the brokers. */
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

/** The values KAFKA_SASL_MECHANISM accepts; scram-sha-512 when unset. */
export const SASL_MECHANISMS = ['scram-sha-512', 'scram-sha-256', 'plain'] as const;
/** How a SASL client proves who it is. */
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** What a client connects with, minus the password: safe to print, log and put in reports. */
export interface SecuritySummary {
  protocol: SecurityProtocol;
  mechanism: SaslMechanism | undefined;
  username: string | undefined;
  /** The PEM file of trusted CAs; undefined with TLS means the system's CAs. */
  caFile: string | undefined;
  rejectUnauthorized: boolean;
}

/** The kafkajs settings for one security setup, and its printable summary. */
export interface ClientSecurity {
  summary: SecuritySummary;
  config: Pick<KafkaConfig, 'ssl' | 'sasl'>;
}

/** A security variable is missing, unknown or contradicts another; the message names the variable. */
export class SecurityConfigError extends ConfigError {
  override readonly name: string = 'SecurityConfigError';
}

/** The variables that only mean something on a TLS or SASL connection. */
const SECURED_ONLY = [
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SSL_REJECT_UNAUTHORIZED',
] as const;

/** A variable's trimmed value, or undefined when unset or blank. */
function read(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** One of the allowed values (case-insensitive), or an error listing them. */
function choice<T extends string>(
  name: string,
  value: string,
  allowed: readonly T[],
  normalise: (v: string) => string,
): T {
  const normalised = normalise(value);
  if ((allowed as readonly string[]).includes(normalised)) return normalised as T;
  const hint =
    normalised === 'SASL_PLAINTEXT'
      ? ' (SASL_PLAINTEXT would send credentials unencrypted; use SASL_SSL)'
      : '';
  throw new SecurityConfigError(`${name}="${value}" is not one of ${allowed.join(', ')}${hint}`);
}

/** The SASL settings; the password is hidden from JSON.stringify and console.log/util.inspect. */
function saslOptions(mechanism: SaslMechanism, username: string, password: string): SASLOptions {
  const sasl: SASLOptions = { mechanism, username, password };
  // kafkajs keeps this object by reference and reads `password` directly; only printing is affected.
  const printable = () => ({ mechanism, username, password: '(hidden)' });
  Object.defineProperty(sasl, 'toJSON', { value: printable, enumerable: false });
  Object.defineProperty(sasl, inspect.custom, { value: printable, enumerable: false });
  return sasl;
}

/** The PEM text of KAFKA_SSL_CA_FILE, or an error naming the variable and the file. */
function readCaFile(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new SecurityConfigError(`KAFKA_SSL_CA_FILE=${path} cannot be read (${code})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new SecurityConfigError(
      `KAFKA_SSL_CA_FILE=${path} holds no PEM certificate (expected a -----BEGIN CERTIFICATE----- block)`,
    );
  }
  return pem;
}

/**
 * Reads KAFKA_SECURITY_PROTOCOL (PLAINTEXT | SSL | SASL_SSL), KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME,
 * KAFKA_SASL_PASSWORD, KAFKA_SSL_CA_FILE and KAFKA_SSL_REJECT_UNAUTHORIZED into kafkajs settings.
 */
export function securityFromEnv(env: NodeJS.ProcessEnv = process.env): ClientSecurity {
  const protocolValue = read(env, 'KAFKA_SECURITY_PROTOCOL');
  const protocol: SecurityProtocol = protocolValue
    ? choice('KAFKA_SECURITY_PROTOCOL', protocolValue, SECURITY_PROTOCOLS, (v) => v.toUpperCase())
    : 'PLAINTEXT';

  if (protocol === 'PLAINTEXT') {
    // Credentials set without a protocol would otherwise be dropped silently, and the client would
    // connect unauthenticated and unencrypted.
    const stray = SECURED_ONLY.filter((name) => read(env, name) !== undefined);
    if (stray.length > 0) {
      throw new SecurityConfigError(
        `${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} set but KAFKA_SECURITY_PROTOCOL is ` +
          `${protocolValue ? 'PLAINTEXT' : 'unset (PLAINTEXT)'}: set KAFKA_SECURITY_PROTOCOL=SASL_SSL or SSL, ` +
          'or unset them',
      );
    }
    return {
      summary: {
        protocol,
        mechanism: undefined,
        username: undefined,
        caFile: undefined,
        rejectUnauthorized: true,
      },
      config: {},
    };
  }

  const rejectValue = read(env, 'KAFKA_SSL_REJECT_UNAUTHORIZED');
  if (rejectValue !== undefined && !['true', 'false'].includes(rejectValue.toLowerCase())) {
    throw new SecurityConfigError(`KAFKA_SSL_REJECT_UNAUTHORIZED="${rejectValue}" must be true or false`);
  }
  // Certificate checks are only ever off when someone wrote `false` on purpose.
  const rejectUnauthorized = rejectValue?.toLowerCase() !== 'false';
  const caFile = read(env, 'KAFKA_SSL_CA_FILE');
  const ssl = caFile ? { rejectUnauthorized, ca: [readCaFile(caFile)] } : { rejectUnauthorized };
  const summary: SecuritySummary = {
    protocol,
    mechanism: undefined,
    username: undefined,
    caFile,
    rejectUnauthorized,
  };

  if (protocol === 'SSL') {
    const stray = ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'].filter(
      (name) => read(env, name) !== undefined,
    );
    if (stray.length > 0) {
      throw new SecurityConfigError(
        `${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} set but KAFKA_SECURITY_PROTOCOL=SSL ` +
          'does not authenticate with SASL: use KAFKA_SECURITY_PROTOCOL=SASL_SSL, or unset them',
      );
    }
    return { summary, config: { ssl } };
  }

  const mechanismValue = read(env, 'KAFKA_SASL_MECHANISM');
  const mechanism: SaslMechanism = mechanismValue
    ? choice('KAFKA_SASL_MECHANISM', mechanismValue, SASL_MECHANISMS, (v) => v.toLowerCase())
    : 'scram-sha-512';
  const username = read(env, 'KAFKA_SASL_USERNAME');
  // Not trimmed: a password may legitimately begin or end with a space.
  const password = env.KAFKA_SASL_PASSWORD;
  if (username === undefined || password === undefined || password === '') {
    const missing = [
      ...(username === undefined ? ['KAFKA_SASL_USERNAME'] : []),
      ...(password === undefined || password === '' ? ['KAFKA_SASL_PASSWORD'] : []),
    ];
    throw new SecurityConfigError(
      `KAFKA_SECURITY_PROTOCOL=SASL_SSL needs ${missing.join(' and ')} (unset or empty)`,
    );
  }
  // kafkajs reads this switch from the process environment; it would log the SASL exchange, which with
  // PLAIN is the password itself.
  if (process.env.KAFKAJS_DEBUG_PROTOCOL_BUFFERS === '1' || env.KAFKAJS_DEBUG_PROTOCOL_BUFFERS === '1') {
    throw new SecurityConfigError(
      'KAFKAJS_DEBUG_PROTOCOL_BUFFERS=1 would write the SASL exchange to the logs: unset it while KAFKA_SASL_* is set',
    );
  }
  return {
    summary: { ...summary, mechanism, username },
    config: { ssl, sasl: saslOptions(mechanism, username, password) },
  };
}

/** One line saying how a client connects, e.g. `SASL_SSL (scram-sha-512 as ratings-app)`; never the password. */
export function describeSecurity(summary: SecuritySummary): string {
  const parts = [
    ...(summary.mechanism ? [`${summary.mechanism} as ${summary.username}`] : []),
    ...(summary.protocol !== 'PLAINTEXT' && summary.caFile ? [`CA ${summary.caFile}`] : []),
    ...(summary.protocol !== 'PLAINTEXT' && !summary.rejectUnauthorized ? ['certificate NOT checked'] : []),
  ];
  return parts.length > 0 ? `${summary.protocol} (${parts.join(', ')})` : summary.protocol;
}
