// The one classification of topic changes: between two releases it is part of the compatibility verdict,
// against a live cluster it is the plan of what to change. Each change gets a stable name and a safety
// class that says who it hurts.
//
// Kafka's `createPartitions` Javadoc and operations docs: adding partitions to a keyed topic changes which
// partition a key maps to (hash(key) % partitions), and existing data is not moved, so per-key order
// breaks across the change. Kafka cannot remove partitions at all.
import type { TopicSpec } from '../../contracts/topics.ts';

/** How safe a topic change is, from the point of view of the topic's producers and consumers. */
export type TopicSafety =
  /** Breaks a promise to producers or consumers: key order, the cleanup model, the key rule. */
  | 'breaking'
  /** Kafka cannot do it in place. */
  | 'impossible'
  /** Safe for live traffic, but consumers that replay older data lose it. */
  | 'breaking-for-replay'
  /** Nobody can tell the difference. */
  | 'compatible'
  /** A deployment concern (durability, placement), not part of what clients rely on. */
  | 'operational';

/** The safety classes that fail a compatibility check. */
export const FAILING_TOPIC_SAFETY: ReadonlySet<TopicSafety> = new Set([
  'breaking',
  'impossible',
  'breaking-for-replay',
]);

/** The stable names of topic changes. */
export type TopicRule =
  | 'TOPIC_ADDED'
  | 'TOPIC_REMOVED'
  | 'PARTITIONS_INCREASED'
  | 'PARTITIONS_DECREASED'
  | 'REPLICATION_FACTOR_CHANGED'
  | 'KEY_CHANGED'
  | 'CLEANUP_POLICY_CHANGED'
  | 'RETENTION_DECREASED'
  | 'RETENTION_INCREASED'
  | 'COMPRESSION_CHANGED'
  | 'MIN_INSYNC_REPLICAS_CHANGED'
  | 'MAX_MESSAGE_BYTES_DECREASED'
  | 'MAX_MESSAGE_BYTES_INCREASED'
  | 'CONFIG_CHANGED'
  | 'DESCRIPTION_CHANGED';

/** One change of a topic, from `old` (a release, or the cluster) to `new` (the working contract). */
export interface TopicChange {
  rule: TopicRule;
  topic: string;
  /** `partitions`, `replication.factor`, `key`, `description` or a config name; `topic` for the whole topic. */
  setting: string;
  old: string | number | null;
  new: string | number | null;
  safety: TopicSafety;
  /** Who it hurts and how, in a sentence. */
  why: string;
}

/** What is known of a topic on either side: a live cluster knows no key rule and no description. */
export type TopicState = Pick<TopicSpec, 'name' | 'partitions' | 'replicationFactor' | 'config'> &
  Partial<Pick<TopicSpec, 'key' | 'description'>>;

/** Every change from the topics `before` to `after`, matched by name, in `after`'s order then removals. */
export function diffTopicSets(before: readonly TopicState[], after: readonly TopicState[]): TopicChange[] {
  const changes: TopicChange[] = [];
  for (const topic of after) {
    const old = before.find((candidate) => candidate.name === topic.name);
    if (old === undefined) {
      changes.push({
        rule: 'TOPIC_ADDED',
        topic: topic.name,
        setting: 'topic',
        old: null,
        new: topic.name,
        safety: 'compatible',
        why: 'a new topic: nobody reads it yet',
      });
    } else changes.push(...diffTopic(old, topic));
  }
  for (const old of before) {
    if (after.some((topic) => topic.name === old.name)) continue;
    changes.push({
      rule: 'TOPIC_REMOVED',
      topic: old.name,
      setting: 'topic',
      old: old.name,
      new: null,
      safety: 'breaking',
      why: 'its producers and consumers lose the topic and everything retained in it',
    });
  }
  return changes;
}

/**
 * Every change from `before` to `after` of one topic. A side that does not know the key rule (a live
 * cluster) is taken to have the other side's; keyed-ness then comes from whichever side knows it.
 */
export function diffTopic(before: TopicState, after: TopicState): TopicChange[] {
  const changes: TopicChange[] = [];
  const topic = after.name;
  const push = (
    rule: TopicRule,
    setting: string,
    old: TopicChange['old'],
    next: TopicChange['new'],
    safety: TopicSafety,
    why: string,
  ) => changes.push({ rule, topic, setting, old, new: next, safety, why });
  const keyed = (after.key ?? before.key ?? null) !== null;

  if (after.partitions > before.partitions) {
    push(
      'PARTITIONS_INCREASED',
      'partitions',
      before.partitions,
      after.partitions,
      keyed ? 'breaking' : 'compatible',
      keyed
        ? 'keys move to other partitions (hash(key) % partitions): per-key order breaks between records written before and after, and data already written is not moved'
        : 'records carry no key: more partitions only spread the load',
    );
  } else if (after.partitions < before.partitions) {
    push(
      'PARTITIONS_DECREASED',
      'partitions',
      before.partitions,
      after.partitions,
      'impossible',
      'Kafka cannot remove partitions (a new topic with fewer, and a migration to it, is the way out)',
    );
  }
  if (after.replicationFactor !== before.replicationFactor) {
    push(
      'REPLICATION_FACTOR_CHANGED',
      'replication.factor',
      before.replicationFactor,
      after.replicationFactor,
      'operational',
      'a partition reassignment: clients see the same records, only durability changes',
    );
  }
  if (
    before.key !== undefined &&
    after.key !== undefined &&
    keyPattern(before.key) !== keyPattern(after.key)
  ) {
    push(
      'KEY_CHANGED',
      'key',
      keyText(before.key),
      keyText(after.key),
      'breaking',
      'producers and consumers agree on what the key is: a changed key rule moves records between partitions and breaks whoever reads the key',
    );
  }
  if (
    before.description !== undefined &&
    after.description !== undefined &&
    before.description !== after.description
  ) {
    push(
      'DESCRIPTION_CHANGED',
      'description',
      before.description,
      after.description,
      'compatible',
      'documentation only',
    );
  }
  const names = new Set([...Object.keys(after.config), ...Object.keys(before.config)]);
  for (const name of names) {
    const [old, next] = [before.config[name], after.config[name]];
    if (old === next) continue;
    const [rule, safety, why] = classifyConfig(name, old, next);
    push(rule, name, old ?? null, next ?? null, safety, why);
  }
  return changes;
}

function classifyConfig(
  name: string,
  old: string | undefined,
  next: string | undefined,
): [TopicRule, TopicSafety, string] {
  const numbers = [Number(old), Number(next)] as const;
  // -1 is "forever" for retention.ms and has no size limit.
  const asLimit = (value: number) => (value < 0 ? Number.POSITIVE_INFINITY : value);
  switch (name) {
    case 'cleanup.policy':
      return [
        'CLEANUP_POLICY_CHANGED',
        'breaking',
        'consumers rely on what the topic keeps: delete keeps every record for the retention, compact only the last per key',
      ];
    case 'retention.ms': {
      if (old === undefined || next === undefined)
        return [
          'CONFIG_CHANGED',
          'breaking-for-replay',
          'the retention falls back to or leaves the broker default: judge it as a retention change',
        ];
      return asLimit(numbers[1]) < asLimit(numbers[0])
        ? [
            'RETENTION_DECREASED',
            'breaking-for-replay',
            'records older than the new retention are deleted: consumers that replay older data lose them',
          ]
        : ['RETENTION_INCREASED', 'compatible', 'records are kept longer; nobody loses data'];
    }
    case 'compression.type':
      return ['COMPRESSION_CHANGED', 'compatible', 'clients decompress whatever codec a batch carries'];
    case 'min.insync.replicas':
      return [
        'MIN_INSYNC_REPLICAS_CHANGED',
        'operational',
        'how many replicas an acks=all write waits for: durability, not data',
      ];
    case 'max.message.bytes':
      if (old !== undefined && next !== undefined && numbers[1] < numbers[0])
        return [
          'MAX_MESSAGE_BYTES_DECREASED',
          'breaking',
          'the broker refuses batches larger than the new limit that producers may still send',
        ];
      return [
        'MAX_MESSAGE_BYTES_INCREASED',
        'compatible',
        'larger batches are accepted; consumers fetch them as before',
      ];
    default:
      return ['CONFIG_CHANGED', 'operational', 'a setting this check does not judge: review it'];
  }
}

// The rule is the pattern (or no key at all); the key's description is documentation.
function keyPattern(key: TopicSpec['key']): string | null {
  return key === null ? null : key.pattern;
}

function keyText(key: TopicSpec['key']): string | null {
  return key === null ? null : `${key.description} (${key.pattern})`;
}
