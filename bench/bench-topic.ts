// Fresh topics per tool under test, configured exactly as the `ratings` contract says, removed afterwards.
import { randomUUID } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { RATINGS_TOPIC, type TopicSpec } from '../contracts/topics.ts';
import { allMatch, ensureTopics, formatTopicReports } from '../helpers/admin/ensure-topics.ts';
import { topicOffsets } from '../helpers/admin/topic-offsets.ts';

/** The topics of one benchmark run. */
export interface BenchTopics {
  /** Creates `bench-ratings-<label>-<uuid>` with RATINGS_TOPIC's partitions and config; returns its name. */
  create(label: string): Promise<string>;
  /** Records a topic holds, summed over partitions: proof that a producer's run landed in full. */
  recordsIn(topic: string): Promise<number>;
  /** Records per partition, in partition order: two keyed producers agree on partitioning when these match. */
  recordsPerPartition(topic: string): Promise<number[]>;
  /** Deletes every topic this run created (an external cluster should not keep gigabytes of bench data). */
  deleteAll(): Promise<void>;
}

/** Bench topics on the cluster `admin` is connected to. */
export function benchTopics(admin: Admin): BenchTopics {
  const created: string[] = [];
  return {
    async create(label) {
      const spec: TopicSpec = { ...RATINGS_TOPIC, name: `bench-ratings-${label}-${randomUUID()}` };
      const reports = await ensureTopics(admin, [spec]);
      created.push(spec.name);
      if (!allMatch(reports)) {
        throw new Error(`bench topic is not as the ratings contract says:\n${formatTopicReports(reports)}`);
      }
      return spec.name;
    },
    async recordsIn(topic) {
      const offsets = await topicOffsets(admin, topic);
      return offsets.reduce(
        (sum, { earliest, latest }) => sum + Number(BigInt(latest) - BigInt(earliest)),
        0,
      );
    },
    async recordsPerPartition(topic) {
      const offsets = await topicOffsets(admin, topic);
      return offsets.map(({ earliest, latest }) => Number(BigInt(latest) - BigInt(earliest)));
    },
    async deleteAll() {
      if (created.length > 0) await admin.deleteTopics({ topics: created.splice(0) });
    },
  };
}
