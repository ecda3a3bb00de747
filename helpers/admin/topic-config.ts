import type { Admin } from 'kafkajs';
import kafkajs from 'kafkajs';

// Not a named import: Node's ESM loader cannot detect this CommonJS export of kafkajs (vitest can).
const { ConfigResourceTypes } = kafkajs;

/** What the broker says a topic looks like, restricted to the settings asked for. */
export interface ObservedTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  config: Record<string, string>;
  /** Per partition: leader broker id and replica ids, in partition order. */
  layout: { partition: number; leader: number; replicas: number[] }[];
}

/** Reads partitions (Metadata) and the named configs (DescribeConfigs) of existing topics. */
export async function describeTopics(
  admin: Admin,
  names: string[],
  configNames?: string[],
): Promise<Map<string, ObservedTopic>> {
  const existing = new Set(await admin.listTopics());
  const present = names.filter((name) => existing.has(name));
  const observed = new Map<string, ObservedTopic>();
  if (present.length === 0) return observed;
  const metadata = await admin.fetchTopicMetadata({ topics: present });
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((name) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      ...(configNames ? { configNames } : {}),
    })),
  });
  for (const topic of metadata.topics) {
    const partitions = [...topic.partitions].sort((a, b) => a.partitionId - b.partitionId);
    const resource = configs.resources.find((entry) => entry.resourceName === topic.name);
    observed.set(topic.name, {
      name: topic.name,
      partitions: partitions.length,
      replicationFactor: partitions[0]?.replicas.length ?? 0,
      config: Object.fromEntries(
        (resource?.configEntries ?? []).map((entry) => [entry.configName, entry.configValue]),
      ),
      layout: partitions.map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas })),
    });
  }
  return observed;
}

/** Compares two config values as the broker means them: numbers numerically, lists as sets. */
export function sameConfigValue(setting: string, expected: string, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  const trimmedExpected = expected.trim();
  const trimmedActual = actual.trim();
  if (/^-?\d+$/.test(trimmedExpected) && /^-?\d+$/.test(trimmedActual))
    return BigInt(trimmedExpected) === BigInt(trimmedActual);
  if (setting === 'cleanup.policy') {
    const set = (value: string) =>
      [...new Set(value.split(',').map((part) => part.trim().toLowerCase()))].sort().join(',');
    return set(trimmedExpected) === set(trimmedActual);
  }
  return trimmedExpected.toLowerCase() === trimmedActual.toLowerCase();
}
