// Protects client security settings before any broker is involved: KAFKA_SECURITY_PROTOCOL and friends
// become the right kafkajs settings, a missing or contradictory variable is named (its secret never is),
// the password stays out of anything printed, and security failures come with the setting to change.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { cliKafka } from '../../helpers/cli/connect.ts';
import { UsageError } from '../../helpers/cli/exit-codes.ts';
import { main } from '../../helpers/cli/main.ts';
import { securityOf } from '../../helpers/clients/kafka-client.ts';
import {
  describeSecurity,
  SecurityConfigError,
  type SecuritySummary,
  securityFromEnv,
} from '../../helpers/clients/security.ts';
import { securityHint } from '../../helpers/clients/security-hint.ts';

const SECRET = 'unit-secret-9f3b';
const dir = mkdtempSync(join(tmpdir(), 'client-security-'));
const CA_FILE = join(dir, 'ca.pem');
writeFileSync(CA_FILE, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const NOT_PEM = join(dir, 'not.pem');
writeFileSync(NOT_PEM, 'hello');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SASL_SSL = {
  KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
  KAFKA_SASL_USERNAME: 'ratings-app',
  KAFKA_SASL_PASSWORD: SECRET,
  KAFKA_SSL_CA_FILE: CA_FILE,
};

/** The message securityFromEnv throws for `env`, checked to be a SecurityConfigError without the secret. */
function refusal(env: NodeJS.ProcessEnv): string {
  try {
    securityFromEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(SecurityConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain(SECRET);
    return message;
  }
  throw new Error('expected the settings to be refused');
}

describe('client security from the environment', () => {
  it('is PLAINTEXT with no settings when nothing is set', () => {
    expect(securityFromEnv({})).toEqual({
      summary: {
        protocol: 'PLAINTEXT',
        mechanism: undefined,
        username: undefined,
        caFile: undefined,
        rejectUnauthorized: true,
      },
      config: {},
    });
  });

  it('reads SASL_SSL: TLS trusting the CA file, SCRAM-SHA-512 by default', () => {
    const { summary, config } = securityFromEnv(SASL_SSL);
    expect(config.ssl).toEqual({
      rejectUnauthorized: true,
      ca: [expect.stringContaining('BEGIN CERTIFICATE')],
    });
    expect(config.sasl).toMatchObject({
      mechanism: 'scram-sha-512',
      username: 'ratings-app',
      password: SECRET,
    });
    expect(describeSecurity(summary)).toBe(`SASL_SSL (scram-sha-512 as ratings-app, CA ${CA_FILE})`);
  });

  it('uses the system CAs without a CA file, and skips certificate checks only when told exactly', () => {
    expect(securityFromEnv({ KAFKA_SECURITY_PROTOCOL: 'ssl' }).config).toEqual({
      ssl: { rejectUnauthorized: true },
    });
    const unchecked = { KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' };
    expect(securityFromEnv(unchecked).config).toEqual({ ssl: { rejectUnauthorized: false } });
    expect(refusal({ ...unchecked, KAFKA_SSL_REJECT_UNAUTHORIZED: 'no' })).toBe(
      'KAFKA_SSL_REJECT_UNAUTHORIZED="no" must be true or false',
    );
  });

  it.each([
    [
      { KAFKA_SASL_USERNAME: undefined },
      'KAFKA_SECURITY_PROTOCOL=SASL_SSL needs KAFKA_SASL_USERNAME (unset or empty)',
    ],
    [
      { KAFKA_SASL_PASSWORD: '' },
      'KAFKA_SECURITY_PROTOCOL=SASL_SSL needs KAFKA_SASL_PASSWORD (unset or empty)',
    ],
    [
      { KAFKA_SASL_USERNAME: ' ', KAFKA_SASL_PASSWORD: undefined },
      'KAFKA_SECURITY_PROTOCOL=SASL_SSL needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (unset or empty)',
    ],
  ])('names the missing SASL variable, never the secret: %j', (change, message) => {
    expect(refusal({ ...SASL_SSL, ...change })).toBe(message);
  });

  it('names unknown values with the accepted ones', () => {
    expect(refusal({ KAFKA_SECURITY_PROTOCOL: 'TLS' })).toBe(
      'KAFKA_SECURITY_PROTOCOL="TLS" is not one of PLAINTEXT, SSL, SASL_SSL',
    );
    expect(refusal({ ...SASL_SSL, KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT' })).toMatch(
      /would send credentials unencrypted; use SASL_SSL/,
    );
    expect(refusal({ ...SASL_SSL, KAFKA_SASL_MECHANISM: 'GSSAPI' })).toBe(
      'KAFKA_SASL_MECHANISM="GSSAPI" is not one of scram-sha-512, scram-sha-256, plain',
    );
  });

  it('refuses credentials that would be ignored instead of connecting unauthenticated', () => {
    const { KAFKA_SECURITY_PROTOCOL: _, ...withoutProtocol } = SASL_SSL;
    expect(refusal(withoutProtocol)).toBe(
      'KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SSL_CA_FILE are set but KAFKA_SECURITY_PROTOCOL is ' +
        'unset (PLAINTEXT): set KAFKA_SECURITY_PROTOCOL=SASL_SSL or SSL, or unset them',
    );
    expect(refusal({ ...SASL_SSL, KAFKA_SECURITY_PROTOCOL: 'SSL' })).toMatch(
      /^KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD are set but KAFKA_SECURITY_PROTOCOL=SSL does not authenticate/,
    );
  });

  it('names an unreadable or non-PEM CA file', () => {
    expect(refusal({ ...SASL_SSL, KAFKA_SSL_CA_FILE: join(dir, 'missing.pem') })).toBe(
      `KAFKA_SSL_CA_FILE=${join(dir, 'missing.pem')} cannot be read (ENOENT)`,
    );
    expect(refusal({ ...SASL_SSL, KAFKA_SSL_CA_FILE: NOT_PEM })).toMatch(/holds no PEM certificate/);
  });

  it('refuses kafkajs protocol-buffer debugging while a password is set: it would log the SASL exchange', () => {
    expect(refusal({ ...SASL_SSL, KAFKAJS_DEBUG_PROTOCOL_BUFFERS: '1' })).toMatch(
      /KAFKAJS_DEBUG_PROTOCOL_BUFFERS=1 would write the SASL exchange to the logs/,
    );
  });

  it('keeps the password out of JSON and console output, while kafkajs still reads it', () => {
    const { config, summary } = securityFromEnv(SASL_SSL);
    expect(config.sasl && 'password' in config.sasl ? config.sasl.password : undefined).toBe(SECRET);
    expect(JSON.stringify(config)).not.toContain(SECRET);
    expect(inspect(config, { depth: 5 })).not.toContain(SECRET);
    expect(JSON.stringify(summary)).not.toContain(SECRET);
    expect(JSON.stringify(config)).toContain('"password":"(hidden)"');
  });

  it('gives the CLI a usage error naming the variable, and a client that remembers how it connects', () => {
    expect(() => cliKafka(['localhost:9092'], { ...SASL_SSL, KAFKA_SASL_PASSWORD: '' })).toThrow(UsageError);
    expect(securityOf(cliKafka(['localhost:9092'], SASL_SSL))).toMatchObject({
      protocol: 'SASL_SSL',
      username: 'ratings-app',
    });
  });

  it('makes the CLI exit 2 naming the missing variable, before any connection', async () => {
    let stderr = '';
    const io = {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
      env: {
        KAFKA_BROKERS: '127.0.0.1:1',
        KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
        KAFKA_SASL_USERNAME: 'ratings-app',
      },
    };
    expect(await main(['topics', 'verify'], io)).toBe(2);
    expect(stderr).toContain('KAFKA_SECURITY_PROTOCOL=SASL_SSL needs KAFKA_SASL_PASSWORD');
  });

  it('refuses `verify` without a broker address when security is set: its embedded broker is PLAINTEXT', async () => {
    let stderr = '';
    const io = {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
      env: { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' },
    };
    expect(await main(['verify'], io)).toBe(2);
    expect(stderr).toContain('KAFKA_SECURITY_PROTOCOL=SASL_SSL needs a secured cluster: set KAFKA_BROKERS');
  });
});

describe('security hints on Kafka failures', () => {
  const sasl: SecuritySummary = {
    protocol: 'SASL_SSL',
    mechanism: 'scram-sha-512',
    username: 'ratings-app',
    caFile: undefined,
    rejectUnauthorized: true,
  };
  const plaintext: SecuritySummary = {
    ...sasl,
    protocol: 'PLAINTEXT',
    mechanism: undefined,
    username: undefined,
  };
  const kafkaError = (name: string, message: string, extra: object = {}) =>
    Object.assign(new Error(message), { name, ...extra });

  it('points a refused login at the SASL variables', () => {
    const error = kafkaError('KafkaJSSASLAuthenticationError', 'SASL SCRAM SHA512 authentication failed');
    expect(securityHint(error, sasl)).toMatch(
      /^the broker did not accept SASL user "ratings-app" \(scram-sha-512\): check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
    );
  });

  it('points a plaintext client whose connection was closed at KAFKA_SECURITY_PROTOCOL, through retry wrappers', () => {
    const closed = kafkaError('KafkaJSConnectionClosedError', 'Closed connection');
    const wrapped = kafkaError('KafkaJSNumberOfRetriesExceeded', 'Closed connection', { cause: closed });
    expect(securityHint(wrapped, plaintext)).toMatch(
      /if this listener uses TLS, set KAFKA_SECURITY_PROTOCOL=SSL/,
    );
  });

  it('points an untrusted certificate at KAFKA_SSL_CA_FILE', () => {
    const error = kafkaError('KafkaJSConnectionError', 'Connection error: self-signed certificate');
    expect(securityHint(error, sasl)).toMatch(/set KAFKA_SSL_CA_FILE to the PEM of the CA that signed it/);
  });

  it('names the principal and the topic on TOPIC_AUTHORIZATION_FAILED', () => {
    const error = kafkaError(
      'KafkaJSProtocolError',
      'Not authorized to access topics: [Topic authorization failed]',
      {
        type: 'TOPIC_AUTHORIZATION_FAILED',
      },
    );
    expect(securityHint(error, sasl, { topic: 'ratings' })).toMatch(
      /^principal User:ratings-app is not authorized on topic "ratings" \(TOPIC_AUTHORIZATION_FAILED\)/,
    );
  });

  it('stays silent on failures that are not about security', () => {
    expect(
      securityHint(kafkaError('KafkaJSConnectionError', 'connect ECONNREFUSED 127.0.0.1:1'), plaintext),
    ).toBe(undefined);
  });
});
