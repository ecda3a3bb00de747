// The topics this project owns, as data: creation, verification, docs and AsyncAPI all read them.

const DAY_MS = 24 * 60 * 60 * 1000;

/** What a topic must look like on the broker. Config values are the broker's normalised strings. */
export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Only the settings the contract declares; broker-wide defaults are never compared. */
  config: Readonly<Record<string, string>>;
  /** How records are keyed, for humans and AsyncAPI. */
  key: { description: string; pattern: string } | null;
  description: string;
}

/** User ratings, keyed by userId so one user's ratings stay ordered on one partition. */
export const RATINGS_TOPIC: TopicSpec = {
  name: 'ratings',
  partitions: 3,
  replicationFactor: 1,
  config: {
    'retention.ms': String(7 * DAY_MS),
    'compression.type': 'lz4',
    'cleanup.policy': 'delete',
  },
  key: { description: 'userId as a decimal string', pattern: '^[1-9][0-9]*$' },
  description: 'MovieLens user ratings streamed to the Spark recommender',
};

/** Streaming metrics published by the Spark job and by our own flows. */
export const METRICS_TOPIC: TopicSpec = {
  name: 'metrics',
  partitions: 1,
  replicationFactor: 1,
  config: {
    'retention.ms': String(30 * DAY_MS),
    'compression.type': 'gzip',
    'cleanup.policy': 'delete',
  },
  key: { description: 'metric source', pattern: '^[a-z][a-z0-9-]*$' },
  description: 'Throughput, latency and model-quality metrics',
};

/** Records from `ratings` that failed validation, with their original bytes and an error header. */
export const RATINGS_DLQ_TOPIC: TopicSpec = {
  name: 'ratings.dlq',
  partitions: 1,
  replicationFactor: 1,
  config: {
    'retention.ms': String(30 * DAY_MS),
    'compression.type': 'producer',
    'cleanup.policy': 'delete',
    // Twice the broker's default record limit: any record `ratings` accepted, plus the error headers, fits.
    'max.message.bytes': '2097152',
  },
  key: null,
  description: 'Dead letters of ratings: original key and bytes, the reason in the error headers',
};

/** Every topic the project owns, in creation order. */
export const TOPICS: readonly TopicSpec[] = [RATINGS_TOPIC, METRICS_TOPIC, RATINGS_DLQ_TOPIC];

/** Deployment profiles: development (one broker) is the default. */
export const TOPIC_PROFILES = ['development', 'production'] as const;
/** Which overlay of the topic specs a cluster gets. */
export type TopicProfile = (typeof TOPIC_PROFILES)[number];

/** What the production profile changes: three replicas, and acks=all survives one broker down. */
export const PRODUCTION_OVERLAY = { replicationFactor: 3, config: { 'min.insync.replicas': '2' } } as const;

/** The topic specs for a profile; production needs a cluster of at least 3 brokers. */
export function topicsForProfile(profile: TopicProfile = 'development'): TopicSpec[] {
  if (profile === 'development') return [...TOPICS];
  return TOPICS.map((topic) => ({
    ...topic,
    replicationFactor: PRODUCTION_OVERLAY.replicationFactor,
    config: { ...topic.config, ...PRODUCTION_OVERLAY.config },
  }));
}
