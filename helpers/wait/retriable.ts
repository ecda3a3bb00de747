// Which Kafka errors are worth another try, and the one bounded retry built on pollUntil. A leadership
// or metadata race (right after a topic is created, a broker restarts or a group rebalances) answers
// with one of these; kafkajs' admin retries some of them in some calls and gives up on the rest.
import { pollUntil, WaitTimeoutError } from './poll-until.ts';

/**
 * Error types (kafkajs' names for Kafka's error codes) that mean "not yet": the cluster is moving
 * leadership, loading a coordinator or has not propagated metadata. Retrying them is what the Java
 * client does; anything else (authorisation, a bad request, a missing topic we never created) is final.
 */
export const RETRIABLE_KAFKA_ERRORS: ReadonlySet<string> = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'REPLICA_NOT_AVAILABLE',
  'REQUEST_TIMED_OUT',
  'NOT_CONTROLLER',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR_FOR_GROUP',
  'NOT_COORDINATOR',
  'GROUP_LOAD_IN_PROGRESS',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'REBALANCE_IN_PROGRESS',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'OFFSET_NOT_AVAILABLE',
  'KAFKA_STORAGE_ERROR',
  'NETWORK_EXCEPTION',
  'UNSTABLE_OFFSET_COMMIT',
]);

/** kafkajs' class names for "the metadata we hold does not know this yet". */
const RETRIABLE_CLIENT_ERRORS: ReadonlySet<string> = new Set([
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
  // Ours: kafkajs' offsets read crashing on metadata without the topic's leaders (resilient-admin.ts).
  'StaleOffsetsMetadataError',
]);

/** The error and its causes (kafkajs wraps the protocol error in `cause` or `originalError`). */
function* causes(error: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  for (let current = error; current !== undefined && current !== null && !seen.has(current); ) {
    seen.add(current);
    yield current;
    const record = current as { cause?: unknown; originalError?: unknown };
    current = record.originalError ?? record.cause;
  }
}

/** True when `error`, or an error it wraps, is a leadership, coordinator or metadata race. */
export function isRetriableKafkaError(error: unknown): boolean {
  for (const candidate of causes(error)) {
    const { type, name, partitions } = candidate as {
      type?: unknown;
      name?: unknown;
      partitions?: { error?: unknown }[];
    };
    if (typeof type === 'string' && RETRIABLE_KAFKA_ERRORS.has(type)) return true;
    if (typeof name === 'string' && RETRIABLE_CLIENT_ERRORS.has(name)) return true;
    // Per-partition errors (kafkajs' ListOffsets and DeleteRecords errors carry them in a list).
    if (Array.isArray(partitions) && partitions.some((p) => isRetriableKafkaError(p.error))) return true;
  }
  return false;
}

/** How long a call may keep meeting races before its last error is final (leader elections take < 1 s). */
export const RETRIABLE_BUDGET_MS = 15_000;

/**
 * Runs `call`, retrying it while it fails with {@link isRetriableKafkaError}, for at most `budgetMs`.
 * When the budget runs out the last Kafka error is thrown as it was (its class says what failed), with
 * the wait's explanation as its cause.
 */
export async function retryRetriable<T>(
  what: string,
  call: () => Promise<T>,
  budgetMs: number = RETRIABLE_BUDGET_MS,
): Promise<T> {
  const answer: { value?: T } = {};
  try {
    await pollUntil(
      async () => {
        answer.value = await call();
        return true;
      },
      (ok) => ok,
      { what, timeoutMs: budgetMs, intervalMs: 25, maxIntervalMs: 500, retryOn: isRetriableKafkaError },
    );
  } catch (error) {
    if (error instanceof WaitTimeoutError && error.cause instanceof Error) {
      error.cause.cause ??= new Error(error.message);
      throw error.cause;
    }
    throw error;
  }
  return answer.value as T;
}
