// Every admin this project builds rides out leadership and metadata races: reads are retried while
// Kafka answers "not yet", and a topic created with `waitForLeaders` is handed back only once every
// partition has a leader that serves offsets. kafkajs' own admin retries some of these in some calls
// (fetchTopicOffsets bails on NOT_LEADER_FOR_PARTITION), and its waitForLeaders gives up on a topic the
// broker does not know yet and trusts metadata that the leader itself has not caught up with.
import type { Admin, ITopicConfig } from 'kafkajs';
import { pollUntil } from '../wait/poll-until.ts';
import { isRetriableKafkaError, RETRIABLE_BUDGET_MS, retryRetriable } from '../wait/retriable.ts';

/** Admin calls that only read: safe to repeat, so each is retried on a retriable error. */
const READS = [
  'describeCluster',
  'listTopics',
  'fetchTopicMetadata',
  'fetchTopicOffsets',
  'fetchTopicOffsetsByTimestamp',
  'fetchOffsets',
  'describeConfigs',
  'describeGroups',
  'listGroups',
  'describeAcls',
] as const satisfies readonly (keyof Admin)[];

/**
 * kafkajs' fetchTopicOffsets crashes with a TypeError ("Cannot destructure property 'partitions' of
 * 'high.pop(...)'") when the metadata it just read lacks the topic's leaders: seen on a three-broker
 * cluster when several offset reads run at once and one's metadata refresh overtakes another's. The
 * admin's metadata never outlives a call (kafkajs builds admins with metadataMaxAge 0), so the retry
 * reads it afresh; this class makes the crash a retriable miss instead of a final error.
 */
export class StaleOffsetsMetadataError extends Error {
  override readonly name = 'StaleOffsetsMetadataError';
}

/** Offsets reads whose kafkajs implementation can meet {@link StaleOffsetsMetadataError}. */
const OFFSETS_READS = ['fetchTopicOffsets', 'fetchTopicOffsetsByTimestamp'] as const;

/** Runs an offsets read, turning kafkajs' crash on stale metadata into a retriable error. */
async function offsetsRead<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TypeError && /kafkajs[\\/]src[\\/]admin/.test(error.stack ?? ''))
      throw new StaleOffsetsMetadataError(`offsets read on stale metadata: ${error.message}`, {
        cause: error,
      });
    throw error;
  }
}

/** True when every partition of every topic has a leader and answers a ListOffsets request. */
async function topicsServe(admin: Admin, topics: readonly string[]): Promise<string[]> {
  const { topics: described } = await admin.fetchTopicMetadata({ topics: [...topics] });
  const leaderless = described.flatMap((topic) =>
    topic.partitions.filter((p) => p.leader < 0).map((p) => `${topic.name}[${p.partitionId}]`),
  );
  if (leaderless.length > 0) return leaderless;
  // The metadata names a leader before that broker has taken leadership; ListOffsets proves it has.
  for (const topic of topics) await admin.fetchTopicOffsets(topic);
  return [];
}

/**
 * Resolves once every partition of `topics` has a leader that serves offsets, retrying the races in
 * between, within `timeoutMs`: what every flow waits for before producing to or reading a new topic.
 */
export async function waitForTopicsReady(
  admin: Admin,
  topics: readonly string[],
  timeoutMs: number = RETRIABLE_BUDGET_MS,
): Promise<void> {
  if (topics.length === 0) return;
  await pollUntil(
    () => topicsServe(admin, topics),
    (leaderless) => leaderless.length === 0,
    {
      what: `a serving leader for every partition of ${topics.join(', ')}`,
      timeoutMs,
      retryOn: isRetriableKafkaError,
      show: (leaderless) => `no leader yet for ${(leaderless as string[]).join(', ')}`,
    },
  );
}

/** Wraps an admin so that reads retry races and topic creation waits until the topics serve. */
export function resilientAdmin(admin: Admin): Admin {
  const raw = { ...admin };
  const wrapped: Admin = { ...admin };
  for (const name of READS) {
    const call = raw[name] as (...args: unknown[]) => Promise<unknown>;
    const read = (OFFSETS_READS as readonly string[]).includes(name)
      ? (...args: unknown[]) => offsetsRead(() => call(...args))
      : call;
    (wrapped as unknown as Record<string, unknown>)[name] = (...args: unknown[]) =>
      retryRetriable(`admin.${name}`, () => read(...args));
  }
  wrapped.createTopics = async (options) => {
    // kafkajs' own waitForLeaders retries LEADER_NOT_AVAILABLE only, and gives up on the
    // UNKNOWN_TOPIC_OR_PARTITION a broker answers until the new topic reaches its metadata cache.
    const created = await raw.createTopics({ ...options, waitForLeaders: false });
    if ((options.waitForLeaders ?? true) && options.validateOnly !== true)
      await waitForTopicsReady(
        wrapped,
        options.topics.map((topic: ITopicConfig) => topic.topic),
      );
    return created;
  };
  return wrapped;
}
