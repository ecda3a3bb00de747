// A broker of the run's provider that is secured the way production clusters are: a SASL_SSL listener
// (SCRAM-SHA-512 over TLS, certificate made at start), the StandardAuthorizer with no access by default,
// an admin (super user), an application user with exactly the ACLs the flows need, and a stranger who
// can log in but has no ACL at all.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { getContainerRuntimeClient } from 'testcontainers';
import { kafkaClient } from '../../../helpers/clients/kafka-client.ts';
import { freePorts, startNativeBroker } from '../../../helpers/kafka/native.ts';
import { DEFAULT_KAFKA_IMAGE, startKafkaContainer } from '../../../helpers/kafka/testcontainers.ts';
import type { ProviderName, StartedBroker } from '../../../helpers/kafka/types.ts';
import { pollUntil } from '../../../helpers/wait/poll-until.ts';
import { grantAppAcls } from './app-acls.ts';
import { createScramUsers, type ScramUser } from './scram-users.ts';
import { createSelfSignedKeystore, type SelfSignedKeystore } from './self-signed-cert.ts';

/** A SCRAM user of the secure broker: a name and its password. */
export type { ScramUser };

/** A secured broker and what a client needs to reach it as each of its users. */
export interface SecureBroker extends StartedBroker {
  /** The SASL_SSL listener's bootstrap servers (`brokers` is the same list). */
  readonly brokers: string[];
  /** The PLAINTEXT listener, where the unauthenticated principal is a super user: setup only. */
  readonly plaintextBrokers: string[];
  /** The broker certificate as PEM, for KAFKA_SSL_CA_FILE; removed by stop(). */
  readonly caFile: string;
  readonly users: { readonly admin: ScramUser; readonly app: ScramUser; readonly stranger: ScramUser };
  /** The KAFKA_SECURITY_PROTOCOL / KAFKA_SASL_* / KAFKA_SSL_CA_FILE variables that log in as `user`. */
  envFor(user: ScramUser): Record<string, string>;
  /** A kafkajs client (the project's factory) logged in as `user` over SASL_SSL. */
  clientFor(user: ScramUser, clientId?: string): Kafka;
  /** Everything the broker logged so far, for checks that a secret never reached it. */
  logs(): Promise<string>;
}

/** Options of {@link startSecureBroker}; every field has a default. */
export interface SecureBrokerOptions {
  /** The image for the testcontainers provider: pass the run's, so the spec runs the same Kafka. */
  image: string;
  /** The application user's password; a random one when unset. */
  appPassword: string;
}

/** The SASL mechanism of the secure listener, as KAFKA_SASL_MECHANISM spells it. */
export const SECURE_MECHANISM = 'scram-sha-512';
/** The listener's name: its settings are `listener.name.secure.*`. */
const LISTENER = 'SECURE';
/** Where KafkaContainer's SASL_SSL listener listens inside the container. */
const CONTAINER_SECURE_PORT = 9096;

const USER_NAMES = { admin: 'kafka-admin', app: 'ratings-app', stranger: 'no-acl-user' } as const;

/** The three users every secure broker has. */
type Users = SecureBroker['users'];

/** Why a provider cannot give a spec a secured broker of its own, or undefined when it can. */
export function notSecurable(provider: ProviderName): string | undefined {
  return provider === 'external'
    ? 'the run uses an external cluster (KAFKA_PROVIDER=external): security specs start a secured broker of their own, which an external run never does'
    : undefined;
}

/** Broker settings for the authorizer: nothing is allowed without an ACL, except to the super users. */
function authorizerSettings(admin: ScramUser): Record<string, string> {
  return {
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    // ANONYMOUS is who the PLAINTEXT listeners see: the controller, inter-broker traffic and setup.
    'super.users': `User:${admin.name};User:ANONYMOUS`,
    'allow.everyone.if.no.acl.found': 'false',
  };
}

/** A password of hex characters: safe inside SCRAM's `[name=...,password=...]` syntax and shell quotes. */
const randomPassword = (): string => randomBytes(18).toString('hex');

/**
 * Starts a secured broker of `provider` (native or testcontainers; see {@link notSecurable}): users and
 * ACLs exist, and every user can log in, when it resolves.
 */
export async function startSecureBroker(
  provider: ProviderName,
  options: Partial<SecureBrokerOptions> = {},
): Promise<SecureBroker> {
  const reason = notSecurable(provider);
  if (reason !== undefined) throw new Error(`Cannot start a secure broker: ${reason}`);
  // The password travels inside SCRAM's `[name=...,password=...]` syntax and single shell quotes.
  if (options.appPassword !== undefined && !/^[A-Za-z0-9._~-]+$/.test(options.appPassword)) {
    throw new Error("The secure broker's appPassword may only hold letters, digits and . _ ~ -");
  }
  const started = Date.now();
  const users: Users = {
    admin: { name: USER_NAMES.admin, password: randomPassword() },
    app: { name: USER_NAMES.app, password: options.appPassword ?? randomPassword() },
    stranger: { name: USER_NAMES.stranger, password: randomPassword() },
  };
  const dir = await mkdtemp(join(tmpdir(), 'kafka-secure-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.on('exit', removeDir);
  let broker: Started | undefined;
  const stop = async (): Promise<void> => {
    try {
      await broker?.stop();
    } finally {
      process.off('exit', removeDir);
      await rm(dir, { recursive: true, force: true });
    }
  };
  try {
    broker =
      provider === 'native'
        ? await startNative(dir, users)
        : await startContainer(dir, users, options.image ?? DEFAULT_KAFKA_IMAGE);
    const { caFile, brokers } = broker;
    const envFor = (user: ScramUser): Record<string, string> => ({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: SECURE_MECHANISM,
      KAFKA_SASL_USERNAME: user.name,
      KAFKA_SASL_PASSWORD: user.password,
      KAFKA_SSL_CA_FILE: caFile,
    });
    const clientFor = (user: ScramUser, clientId = `secure-${user.name}`): Kafka =>
      kafkaClient(brokers, { clientId }, envFor(user));
    await loggedIn(brokers, envFor, [users.app, users.stranger]);
    const admin = clientFor(users.admin, 'secure-broker-setup').admin();
    await admin.connect();
    try {
      await grantAppAcls(admin, `User:${users.app.name}`);
    } finally {
      await admin.disconnect();
    }
    return {
      provider: broker.provider,
      brokers,
      plaintextBrokers: broker.plaintextBrokers,
      description: `${broker.description}, SASL_SSL ${SECURE_MECHANISM} + StandardAuthorizer`,
      startupMs: Date.now() - started,
      caFile,
      users,
      envFor,
      clientFor,
      logs: broker.logs,
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

/** What each provider's start hands back. */
interface Started {
  provider: ProviderName;
  description: string;
  brokers: string[];
  plaintextBrokers: string[];
  caFile: string;
  logs(): Promise<string>;
  stop(): Promise<void>;
}

/** The SCRAM login of the secure listener, broker side: credentials live in the cluster metadata. */
const JAAS = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';

async function startNative(dir: string, users: Users): Promise<Started> {
  const keystore = await createSelfSignedKeystore(dir);
  const [securePort] = await freePorts(1);
  const broker = await startNativeBroker({
    listeners: [{ name: LISTENER, protocol: 'SASL_SSL', port: securePort as number }],
    settings: {
      ...authorizerSettings(users.admin),
      ...sslSettings(keystore),
      'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      [`listener.name.${LISTENER.toLowerCase()}.scram-sha-512.sasl.jaas.config`]: JAAS,
    },
    // Credentials written at format time exist before the broker first answers: no wait for them.
    formatArgs: Object.values(users).flatMap((user) => [
      '--add-scram',
      `SCRAM-SHA-512=[name=${user.name},password=${user.password}]`,
    ]),
  });
  return {
    provider: 'native',
    description: broker.description,
    brokers: [`127.0.0.1:${securePort}`],
    plaintextBrokers: broker.brokers,
    caFile: keystore.certificateFile,
    logs: async () => {
      const files = await Promise.all(
        [broker.logFile, join(broker.workDir, 'logs', 'console.log')].map((file) =>
          readFile(file, 'utf8').catch(() => ''),
        ),
      );
      return files.join('\n');
    },
    stop: () => broker.stop(),
  };
}

function sslSettings(keystore: SelfSignedKeystore): Record<string, string> {
  return {
    'ssl.keystore.location': keystore.keystoreFile,
    'ssl.keystore.password': keystore.password,
    'ssl.keystore.type': 'PKCS12',
  };
}

async function startContainer(dir: string, users: Users, image: string): Promise<Started> {
  const runtime = await getContainerRuntimeClient();
  // The client dials the engine's host (localhost, or a remote engine's address): the certificate names it.
  const keystore = await createSelfSignedKeystore(dir, [runtime.info.containerRuntime.host]);
  const { admin } = users;
  const keystoreBytes = await readFile(keystore.keystoreFile);
  const started = await startKafkaContainer({
    image,
    settings: authorizerSettings(admin),
    customize: (container) =>
      container.withSaslSslListener({
        port: CONTAINER_SECURE_PORT,
        // KafkaContainer adds this one user at format time; the others follow once the broker runs.
        sasl: { mechanism: 'SCRAM-SHA-512', user: { name: admin.name, password: admin.password } },
        keystore: { content: keystoreBytes, passphrase: keystore.password },
      }),
  });
  const { container } = started;
  try {
    await createScramUsers(container, [users.app, users.stranger]);
  } catch (error) {
    await started.stop().catch(() => {});
    throw error;
  }
  const engineContainer = runtime.container.getById(container.getId());
  return {
    provider: 'testcontainers',
    description: started.description,
    brokers: [`${container.getHost()}:${container.getMappedPort(CONTAINER_SECURE_PORT)}`],
    plaintextBrokers: started.brokers,
    caFile: keystore.certificateFile,
    logs: async () => demux(await engineContainer.logs({ stdout: true, stderr: true, follow: false })),
    stop: started.stop,
  };
}

/** The text of a non-TTY container's log: frames of an 8-byte header (stream, 0, 0, 0, size) and a payload. */
function demux(raw: Buffer): string {
  const chunks: Buffer[] = [];
  for (let at = 0; at + 8 <= raw.length; ) {
    const size = raw.readUInt32BE(at + 4);
    chunks.push(raw.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Resolves once every user can log in over SASL_SSL. Credentials made by a running broker reach its
 * authenticator through the metadata log a moment after the tool returns.
 */
async function loggedIn(
  brokers: string[],
  envFor: (user: ScramUser) => Record<string, string>,
  users: ScramUser[],
  timeoutMs = 15_000,
): Promise<void> {
  // One clock for all users: the budget covers the whole propagation, not each login.
  const deadline = performance.now() + timeoutMs;
  for (const user of users) {
    await pollUntil(
      async () => {
        const probe = { clientId: 'secure-broker-login-probe', retry: { retries: 0 } };
        const admin = kafkaClient(brokers, probe, envFor(user)).admin();
        try {
          await admin.connect();
          return true;
        } finally {
          await admin.disconnect().catch(() => {});
        }
      },
      (ok) => ok,
      {
        what: `SCRAM user ${user.name} to log in`,
        timeoutMs: Math.max(0, deadline - performance.now()),
        intervalMs: 50,
        retryOn: () => true,
      },
    );
  }
}
