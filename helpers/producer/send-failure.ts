// What a failed send means, in words a person can act on: kafkajs reports Kafka's error types verbatim.

/** The error and the errors it wraps (kafkajs nests the broker's answer in `cause` or `originalError`). */
function* causes(error: unknown): Generator<{ type?: unknown; message?: unknown }> {
  const seen = new Set<unknown>();
  for (let current = error; current && typeof current === 'object' && !seen.has(current); ) {
    seen.add(current);
    yield current as { type?: unknown };
    const record = current as { cause?: unknown; originalError?: unknown };
    current = record.originalError ?? record.cause;
  }
}

/** The Kafka error type (`NOT_ENOUGH_REPLICAS`, ...) behind a failed send, if the broker answered one. */
export function kafkaErrorType(error: unknown): string | undefined {
  for (const candidate of causes(error)) if (typeof candidate.type === 'string') return candidate.type;
  return undefined;
}

/** Why a send failed, with what to do about it where the Kafka error type says more than its message. */
export function describeSendFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const type = kafkaErrorType(error);
  if (type === 'NOT_ENOUGH_REPLICAS' || type === 'NOT_ENOUGH_REPLICAS_AFTER_APPEND') {
    return (
      `${type}: ${message}; the partition has fewer in-sync replicas than the topic's min.insync.replicas, ` +
      'so acks=all writes are refused rather than kept on too few brokers: bring the stopped brokers back'
    );
  }
  return type === undefined ? message : `${type}: ${message}`;
}
