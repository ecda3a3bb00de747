// What `topics describe` shows: each contract topic's layout, offsets and effective declared settings.
import type { Admin } from 'kafkajs';
import type { TopicSpec } from '../../contracts/topics.ts';
import { type Drift, driftOf } from './ensure-topics.ts';
import { describeTopics } from './topic-config.ts';
import { type PartitionOffsets, topicOffsets } from './topic-offsets.ts';

/** One partition as the broker reports it. */
export interface PartitionDescription extends PartitionOffsets {
  leader: number;
  replicas: number[];
}

/** A contract topic as found on the broker, or `missing`. */
export type TopicDescription =
  | { topic: string; status: 'missing' }
  | {
      topic: string;
      status: 'present';
      partitions: PartitionDescription[];
      replicationFactor: number;
      /** The effective value of every setting the contract declares. */
      config: Record<string, string>;
      /** Every declared setting (partitions and replication included) that differs from the contract. */
      drift: Drift[];
    };

/** Describes the given topics: partitions with leaders, replicas and offsets, and the declared settings' values. */
export async function describeContractTopics(admin: Admin, specs: TopicSpec[]): Promise<TopicDescription[]> {
  const configNames = [...new Set(specs.flatMap((spec) => Object.keys(spec.config)))];
  const observed = await describeTopics(
    admin,
    specs.map((spec) => spec.name),
    configNames,
  );
  return Promise.all(
    specs.map(async (spec): Promise<TopicDescription> => {
      const topic = observed.get(spec.name);
      if (!topic) return { topic: spec.name, status: 'missing' };
      const offsets = await topicOffsets(admin, spec.name);
      const declared = Object.keys(spec.config);
      return {
        topic: spec.name,
        status: 'present',
        replicationFactor: topic.replicationFactor,
        partitions: topic.layout.map((layout) => {
          const range = offsets.find((offset) => offset.partition === layout.partition);
          return { ...layout, earliest: range?.earliest ?? '?', latest: range?.latest ?? '?' };
        }),
        config: Object.fromEntries(declared.map((name) => [name, topic.config[name] ?? '(unset)'])),
        drift: driftOf(spec, topic),
      };
    }),
  );
}
