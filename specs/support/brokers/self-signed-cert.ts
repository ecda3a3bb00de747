// A broker TLS certificate made at test time with keytool, so no key material is ever committed.

import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { InfrastructureError } from '../../../helpers/errors.ts';
import { findJava } from '../../../helpers/kafka/native.ts';
import { runTool } from '../../../helpers/tools/run-tool.ts';

/** A PKCS12 keystore for the broker and the matching certificate for clients. */
export interface SelfSignedKeystore {
  /** The PKCS12 keystore (key and self-signed certificate). */
  keystoreFile: string;
  /** The store's password, which is also the key's (PKCS12 has one). */
  password: string;
  /** The certificate as PEM: what a client trusts through KAFKA_SSL_CA_FILE. */
  certificateFile: string;
}

/** keytool next to the java Kafka runs on, or on PATH. */
function keytool(): string {
  const java = findJava();
  if (java === undefined) {
    throw new InfrastructureError(
      'No Java >= 17 found in JAVA_HOME or on PATH: its keytool makes the TLS certificate',
    );
  }
  return java === 'java' ? 'keytool' : join(dirname(java), 'keytool');
}

/**
 * Generates a key pair and a self-signed certificate into `dir`, valid for two days, for `localhost`,
 * `127.0.0.1` and any further `hosts`: a client checks the host it dialled against these names.
 */
export async function createSelfSignedKeystore(
  dir: string,
  hosts: string[] = [],
): Promise<SelfSignedKeystore> {
  const tool = keytool();
  const names = [...new Set(['localhost', '127.0.0.1', ...hosts])];
  const san = names.map((name) => (isIP(name) ? `ip:${name}` : `dns:${name}`)).join(',');
  const keystoreFile = join(dir, 'broker.keystore.p12');
  const certificateFile = join(dir, 'broker-ca.pem');
  const password = randomBytes(18).toString('hex');
  const common = [
    '-alias',
    'broker',
    '-keystore',
    keystoreFile,
    '-storetype',
    'PKCS12',
    '-storepass',
    password,
  ];
  const run = {
    secrets: [password],
    purpose: `${tool} could not create the broker's TLS certificate in ${dir}`,
  };
  // EC P-256: generated in a fraction of the time an RSA key takes, and every TLS 1.2 stack speaks it.
  await runTool(
    tool,
    [
      '-genkeypair',
      ...common,
      '-keypass',
      password,
      '-keyalg',
      'EC',
      '-groupname',
      'secp256r1',
      '-dname',
      'CN=localhost',
      '-ext',
      `SAN=${san}`,
      '-validity',
      '2',
      '-noprompt',
    ],
    run,
  );
  await runTool(tool, ['-exportcert', ...common, '-rfc', '-file', certificateFile], run);
  return { keystoreFile, password, certificateFile };
}
