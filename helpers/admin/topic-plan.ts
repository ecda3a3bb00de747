// The plan of what it takes to bring a live cluster's topics to their contract: the topic diff of the
// compatibility check (helpers/compat/topic-diff.ts, one classification for both), turned into actions,
// each with its safety class, and measured where the cluster can tell (how many keys a partition increase
// moves, how many retained records a shorter retention deletes).
import type { Admin } from 'kafkajs';
import kafkajs from 'kafkajs';
import { USER_ID_MAX } from '../../contracts/rating.ts';
import type { TopicSpec } from '../../contracts/topics.ts';
import { diffTopic, type TopicChange, type TopicSafety } from '../compat/topic-diff.ts';
import { javaDefaultPartition } from '../partitioner/murmur2.ts';
import { sameConfigValue } from './topic-config.ts';

// Not a named import: Node's ESM loader cannot detect this CommonJS export of kafkajs (vitest can).
const { ConfigResourceTypes } = kafkajs;

/** The unsafe actions, each run only with `--allow <name>`. */
export const UNSAFE_ACTIONS = [
  'key-remap',
  'retention-shrink',
  'cleanup-policy',
  'message-size-shrink',
] as const;
/** An unsafe action's name. */
export type UnsafeAction = (typeof UNSAFE_ACTIONS)[number];

/** Kafka's config source for a topic's own override (DescribeConfigs ConfigSource DYNAMIC_TOPIC_CONFIG). */
const DYNAMIC_TOPIC_CONFIG = 1;

/** How many keys a partition increase moves, over every userId of the contract. */
export interface KeyRemap {
  keys: number;
  moved: number;
}

/** One step of a plan. */
export type PlanAction =
  | { kind: 'create'; topic: string; spec: TopicSpec; safety: 'compatible'; why: string }
  | {
      kind: 'set-config';
      topic: string;
      change: TopicChange;
      /** Set when the action deletes retained records or refuses what producers send. */
      unsafe?: Exclude<UnsafeAction, 'key-remap'>;
      /** Records older than the new retention, which the broker would delete. */
      recordsDeleted?: number;
    }
  | { kind: 'add-partitions'; topic: string; change: TopicChange; unsafe?: 'key-remap'; remap?: KeyRemap }
  | {
      kind: 'reassign';
      topic: string;
      change: TopicChange;
      /** The replica set each partition gets, leader first. */
      targets: { partition: number; replicas: number[] }[];
    }
  | { kind: 'refuse'; topic: string; change: TopicChange; wayOut: string };

/** A setting the cluster carries on a topic that the contract does not declare: listed, left alone. */
export interface UnmanagedSetting {
  topic: string;
  setting: string;
  value: string | null;
}

/** What `topics plan` prints and `topics apply` carries out. */
export interface TopicPlan {
  actions: PlanAction[];
  unmanaged: UnmanagedSetting[];
}

/** The safety class of an action, as the plan shows it. */
export function safetyOf(action: PlanAction): TopicSafety {
  return action.kind === 'create' ? action.safety : action.change.safety;
}

/** A topic as the cluster has it: every topic-level override, and the replicas of each partition. */
export interface LiveTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Every setting overridden on the topic (DescribeConfigs source DYNAMIC_TOPIC_CONFIG); null when sensitive. */
  overrides: Record<string, string | null>;
  /** The effective value of every setting, overridden or not (the broker's default otherwise). */
  effective: Record<string, string>;
  layout: { partition: number; replicas: number[]; isr: number[] }[];
}

/** Reads what the cluster has of `names` (absent topics are left out). */
export async function readLiveTopics(
  admin: Admin,
  names: readonly string[],
): Promise<Map<string, LiveTopic>> {
  const existing = new Set(await admin.listTopics());
  const present = names.filter((name) => existing.has(name));
  const live = new Map<string, LiveTopic>();
  if (present.length === 0) return live;
  const [metadata, configs] = await Promise.all([
    admin.fetchTopicMetadata({ topics: present }),
    admin.describeConfigs({
      includeSynonyms: false,
      resources: present.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    }),
  ]);
  for (const topic of metadata.topics) {
    const partitions = [...topic.partitions].sort((a, b) => a.partitionId - b.partitionId);
    const entries = configs.resources.find((r) => r.resourceName === topic.name)?.configEntries ?? [];
    live.set(topic.name, {
      name: topic.name,
      partitions: partitions.length,
      replicationFactor: partitions[0]?.replicas.length ?? 0,
      overrides: Object.fromEntries(
        entries
          .filter((entry) => (entry as { configSource?: number }).configSource === DYNAMIC_TOPIC_CONFIG)
          .map((entry) => [entry.configName, entry.isSensitive ? null : entry.configValue]),
      ),
      effective: Object.fromEntries(entries.map((entry) => [entry.configName, entry.configValue])),
      layout: partitions.map((p) => ({ partition: p.partitionId, replicas: p.replicas, isr: p.isr })),
    });
  }
  return live;
}

/** Keys that land on another partition when a keyed topic goes from `before` to `after` partitions. */
export function keyRemap(before: number, after: number, keys: Iterable<string> = userIdKeys()): KeyRemap {
  let total = 0;
  let moved = 0;
  for (const key of keys) {
    total++;
    if (javaDefaultPartition(key, before) !== javaDefaultPartition(key, after)) moved++;
  }
  return { keys: total, moved };
}

/** Every userId key of the contract (MovieLens 20M users), as the producer writes them. */
function* userIdKeys(): Generator<string> {
  for (let userId = 1; userId <= USER_ID_MAX; userId++) yield String(userId);
}

/** The replica set of each partition for a new replication factor: current replicas kept, brokers added round robin. */
export function targetReplicas(
  topic: LiveTopic,
  factor: number,
  brokers: readonly number[],
): { partition: number; replicas: number[] }[] {
  const sorted = [...brokers].sort((a, b) => a - b);
  return topic.layout.map(({ partition, replicas }) => {
    if (factor <= replicas.length) return { partition, replicas: replicas.slice(0, factor) };
    const next = [...replicas];
    // Start each partition's additions at a different broker, so the new replicas spread over the cluster.
    for (let i = 0; next.length < factor && i < sorted.length; i++) {
      const candidate = sorted[(partition + i) % sorted.length] as number;
      if (!next.includes(candidate)) next.push(candidate);
    }
    return { partition, replicas: next };
  });
}

/** Records of `topic` older than `retentionMs`: what a retention of that length would delete now. */
async function recordsOlderThan(
  admin: Admin,
  topic: string,
  retentionMs: number,
  now: number,
): Promise<number> {
  const [earliest, atCutoff] = await Promise.all([
    admin.fetchTopicOffsetsByTimestamp(topic, 0),
    admin.fetchTopicOffsetsByTimestamp(topic, now - retentionMs),
  ]);
  const latest = await admin.fetchTopicOffsets(topic);
  let older = 0;
  for (const { partition, offset } of atCutoff) {
    const low = BigInt(earliest.find((p) => p.partition === partition)?.offset ?? '0');
    // No record at or after the cut-off answers -1: then every record is older.
    const cut =
      offset === '-1' ? BigInt(latest.find((p) => p.partition === partition)?.high ?? '0') : BigInt(offset);
    if (cut > low) older += Number(cut - low);
  }
  return older;
}

/** Options of {@link planTopics}. */
export interface PlanOptions {
  /** The broker ids the cluster has (for reassignment targets). */
  brokers: readonly number[];
  now: number;
}

/** The plan that brings `live` to `specs`; reads offsets only to measure a retention shrink. */
export async function planTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
  live: ReadonlyMap<string, LiveTopic>,
  options: PlanOptions,
): Promise<TopicPlan> {
  const actions: PlanAction[] = [];
  const unmanaged: UnmanagedSetting[] = [];
  for (const spec of specs) {
    const topic = live.get(spec.name);
    if (!topic) {
      actions.push({
        kind: 'create',
        topic: spec.name,
        spec,
        safety: 'compatible',
        why: 'a new topic: nobody reads it yet',
      });
      continue;
    }
    // The cluster's side of the diff: the effective value of each declared setting, default or not.
    const declared = Object.fromEntries(
      Object.keys(spec.config).flatMap((name) => {
        const value = topic.effective[name];
        if (value === undefined) return [];
        // Equal as the broker means them (numbers numerically, lists as sets): not a change.
        return [
          [
            name,
            sameConfigValue(name, spec.config[name] as string, value) ? (spec.config[name] as string) : value,
          ],
        ];
      }),
    );
    const changes = diffTopic(
      {
        name: topic.name,
        partitions: topic.partitions,
        replicationFactor: topic.replicationFactor,
        config: declared,
      },
      spec,
    );
    for (const change of changes) actions.push(await actionOf(admin, spec, topic, change, options));
    for (const [setting, value] of Object.entries(topic.overrides)) {
      if (!(setting in spec.config)) unmanaged.push({ topic: spec.name, setting, value });
    }
  }
  return { actions, unmanaged };
}

async function actionOf(
  admin: Admin,
  spec: TopicSpec,
  topic: LiveTopic,
  change: TopicChange,
  options: PlanOptions,
): Promise<PlanAction> {
  switch (change.rule) {
    case 'PARTITIONS_DECREASED':
      return {
        kind: 'refuse',
        topic: spec.name,
        change,
        wayOut: `create a new topic with ${spec.partitions} partitions, move producers and consumers to it, and delete ${spec.name} once drained`,
      };
    case 'PARTITIONS_INCREASED': {
      if (spec.key === null) return { kind: 'add-partitions', topic: spec.name, change };
      return {
        kind: 'add-partitions',
        topic: spec.name,
        change,
        unsafe: 'key-remap',
        remap: keyRemap(topic.partitions, spec.partitions),
      };
    }
    case 'REPLICATION_FACTOR_CHANGED':
      return {
        kind: 'reassign',
        topic: spec.name,
        change,
        targets: targetReplicas(topic, spec.replicationFactor, options.brokers),
      };
    case 'RETENTION_DECREASED': {
      const retention = Number(change.new);
      const deleted = retention < 0 ? 0 : await recordsOlderThan(admin, spec.name, retention, options.now);
      // Only a shrink below the age of the oldest retained record deletes anything: the rest is safe now.
      return deleted > 0
        ? {
            kind: 'set-config',
            topic: spec.name,
            change,
            unsafe: 'retention-shrink',
            recordsDeleted: deleted,
          }
        : { kind: 'set-config', topic: spec.name, change, recordsDeleted: 0 };
    }
    case 'CLEANUP_POLICY_CHANGED':
      return { kind: 'set-config', topic: spec.name, change, unsafe: 'cleanup-policy' };
    case 'MAX_MESSAGE_BYTES_DECREASED':
      return { kind: 'set-config', topic: spec.name, change, unsafe: 'message-size-shrink' };
    default:
      return { kind: 'set-config', topic: spec.name, change };
  }
}
