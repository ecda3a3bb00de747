// What to change when a Kafka failure comes from security settings: kafkajs says "Closed connection" or
// "Topic authorization failed"; a person needs the variable to fix or the ACL to ask for.
import type { SecuritySummary } from './security.ts';

/** What the failing call was about, for the hint's wording. */
export interface HintContext {
  topic: string;
  groupId: string;
}

/** The error and every `cause` below it (kafkajs wraps the real failure in retry errors). */
function chain(error: unknown): { name: string; message: string; type: string | undefined }[] {
  const links = [];
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    const { name, message, type, cause } = current as {
      name?: unknown;
      message?: unknown;
      type?: unknown;
      cause?: unknown;
    };
    links.push({
      name: typeof name === 'string' ? name : '',
      message: typeof message === 'string' ? message : String(current),
      type: typeof type === 'string' ? type : undefined,
    });
    current = cause;
  }
  return links;
}

/** True when `error`, or an error it wraps, is a Kafka protocol error of this type (`TOPIC_AUTHORIZATION_FAILED`). */
export function hasErrorType(error: unknown, type: string): boolean {
  return chain(error).some((link) => link.type === type);
}

/** `User:<name>` when the client logs in, else a phrase that says which principal it is. */
function principal(security: SecuritySummary | undefined): string {
  return security?.username ? `principal User:${security.username}` : 'this client';
}

/**
 * One sentence on which setting or ACL to change when `error` looks like a security mismatch, else
 * undefined. Built from the error and the client's summary only: it never holds a password.
 */
export function securityHint(
  error: unknown,
  security: SecuritySummary | undefined,
  context: Partial<HintContext> = {},
): string | undefined {
  const links = chain(error);
  const has = (test: (link: (typeof links)[number]) => boolean) => links.some(test);
  const protocol = security?.protocol;

  if (has((link) => link.name === 'KafkaJSSASLAuthenticationError')) {
    if (has((link) => /mechanism is not supported/.test(link.message))) {
      return `the listener does not enable ${security?.mechanism ?? 'this SASL mechanism'}: set KAFKA_SASL_MECHANISM to one it does (scram-sha-512, scram-sha-256 or plain)`;
    }
    return (
      `the broker did not accept SASL user "${security?.username ?? '(unknown)'}" (${security?.mechanism ?? 'unknown mechanism'}): ` +
      'check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD, and that KAFKA_SASL_MECHANISM is the one the user was created with'
    );
  }
  if (has((link) => link.type === 'TOPIC_AUTHORIZATION_FAILED')) {
    const topic = context.topic ? `topic "${context.topic}"` : 'the topic';
    return (
      `${principal(security)} is not authorized on ${topic} (TOPIC_AUTHORIZATION_FAILED): ask the cluster's ` +
      'admin for ACLs allowing DESCRIBE, plus WRITE to produce or READ to consume'
    );
  }
  if (has((link) => link.type === 'GROUP_AUTHORIZATION_FAILED')) {
    const group = context.groupId ? `consumer group "${context.groupId}"` : 'the consumer group';
    return `${principal(security)} is not authorized on ${group} (GROUP_AUTHORIZATION_FAILED): ask for a READ ACL on it`;
  }
  if (has((link) => link.type === 'CLUSTER_AUTHORIZATION_FAILED')) {
    return `${principal(security)} is not authorized for this cluster operation (CLUSTER_AUTHORIZATION_FAILED): ask for the cluster ACL it needs`;
  }
  if (has((link) => /Hostname\/IP does not match|altnames/i.test(link.message))) {
    return "the broker's TLS certificate does not name the host in KAFKA_BROKERS: connect by a name the certificate lists";
  }
  if (has((link) => /certificate|unable to verify the first/i.test(link.message))) {
    return (
      "the broker's TLS certificate is not trusted: set KAFKA_SSL_CA_FILE to the PEM of the CA that signed it " +
      '(KAFKA_SSL_REJECT_UNAUTHORIZED=false skips the check, for throwaway test clusters only)'
    );
  }
  if (
    protocol !== undefined &&
    protocol !== 'PLAINTEXT' &&
    has((link) =>
      /before secure TLS connection|wrong version number|packet length too long/i.test(link.message),
    )
  ) {
    return `the listener does not speak TLS: if it is a PLAINTEXT listener, unset KAFKA_SECURITY_PROTOCOL (it is ${protocol})`;
  }
  const closed = has(
    (link) => link.name === 'KafkaJSConnectionClosedError' || /Closed connection/i.test(link.message),
  );
  if (closed && (protocol === undefined || protocol === 'PLAINTEXT')) {
    return (
      'the broker closed the connection on a PLAINTEXT client: if this listener uses TLS, set ' +
      'KAFKA_SECURITY_PROTOCOL=SSL, or SASL_SSL with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD'
    );
  }
  if (closed && protocol === 'SSL') {
    return (
      'the broker closed the connection on a TLS client without SASL: if this listener authenticates, set ' +
      'KAFKA_SECURITY_PROTOCOL=SASL_SSL with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD'
    );
  }
  return undefined;
}
