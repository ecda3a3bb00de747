// Offsets as a consumer can observe them: where each partition starts and ends, where a group stands.
import type { Admin } from 'kafkajs';

/** One partition's range: `earliest` is the first offset still held, `latest` the next one to be written. */
export interface PartitionOffsets {
  partition: number;
  earliest: string;
  latest: string;
}

/** Earliest and latest offsets of every partition of `topic`, in partition order. */
export async function topicOffsets(admin: Admin, topic: string): Promise<PartitionOffsets[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets
    .map(({ partition, low, high }) => ({ partition, earliest: low, latest: high }))
    .sort((a, b) => a.partition - b.partition);
}

/** The next offset to be written, per partition: what a consumer that read everything has committed. */
export async function endOffsets(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  const offsets = await topicOffsets(admin, topic);
  return new Map(offsets.map(({ partition, latest }) => [partition, BigInt(latest)]));
}

/** Records between two snapshots of end offsets, summed over partitions. */
export function recordsBetween(before: Map<number, bigint>, after: Map<number, bigint>): number {
  let total = 0n;
  for (const [partition, end] of after) total += end - (before.get(partition) ?? 0n);
  return Number(total);
}

/** The offsets a group committed on `topic`, per partition; -1 where it committed nothing. */
export async function committedOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((entry?.partitions ?? []).map(({ partition, offset }) => [partition, BigInt(offset)]));
}
