// Delivery accounting by `seq` header: what consumers observed against what the producer was told.
import type { Admin } from 'kafkajs';

/** How the records of one run were delivered. */
export interface DeliveryReport {
  /** Records consumed, repeats included. */
  consumed: number;
  /** Distinct seqs consumed. */
  distinct: number;
  /** Acknowledged seqs no consumer saw. */
  lost: number[];
  /** Seqs consumed more than once, each listed once. */
  duplicatedSeqs: number[];
  /** Extra deliveries: `consumed - distinct`. */
  duplicates: number;
  /** Seqs consumed that the producer never handed over: foreign or corrupt records. */
  unexpected: number[];
}

/** Compares the consumed seqs with the acknowledged ones; `produced` bounds what may legitimately appear. */
export function deliveryReport(
  acked: ReadonlySet<number>,
  consumedSeqs: readonly number[],
  produced: ReadonlySet<number> = acked,
): DeliveryReport {
  const counts = new Map<number, number>();
  for (const seq of consumedSeqs) counts.set(seq, (counts.get(seq) ?? 0) + 1);
  return {
    consumed: consumedSeqs.length,
    distinct: counts.size,
    lost: [...acked].filter((seq) => !counts.has(seq)).sort((a, b) => a - b),
    duplicatedSeqs: [...counts]
      .filter(([, count]) => count > 1)
      .map(([seq]) => seq)
      .sort((a, b) => a - b),
    duplicates: consumedSeqs.length - counts.size,
    unexpected: [...counts.keys()].filter((seq) => !produced.has(seq)).sort((a, b) => a - b),
  };
}

/** Records of `topic` that `groupId` has not committed past, summed over partitions (one never committed counts whole). */
export async function groupLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const at = new Map(
    (committed?.partitions ?? []).map(({ partition, offset }) => [partition, Number(offset)]),
  );
  return ends.reduce((lag, { partition, high, low }) => {
    const next = at.get(partition) ?? -1;
    return lag + Number(high) - (next < 0 ? Number(low) : next);
  }, 0);
}

/** The offset `groupId` committed per partition of `topic`; -1 where it committed nothing. */
export async function committedOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, number>> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((entry?.partitions ?? []).map(({ partition, offset }) => [partition, Number(offset)]));
}

/** Sum of the end offsets of `topic`: every record ever written (no compaction, no transactions here). */
export async function recordsInTopic(admin: Admin, topic: string): Promise<number> {
  const ends = await admin.fetchTopicOffsets(topic);
  return ends.reduce((sum, { high }) => sum + Number(high), 0);
}

/**
 * The group's state and members, its committed offset and the end offset of every partition of `topic`:
 * what a lag that does not drain is made of, printed when a wait for it times out.
 */
export async function describeGroupLag(admin: Admin, groupId: string, topic: string): Promise<string> {
  const [ends, committed, { groups }] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    committedOffsets(admin, groupId, topic),
    admin.describeGroups([groupId]),
  ]);
  const group = groups[0];
  const members = (group?.members ?? []).map((member) => member.memberId).join(', ') || 'none';
  const partitions = ends
    .sort((a, b) => a.partition - b.partition)
    .map(({ partition, high }) => `p${partition} committed ${committed.get(partition) ?? -1} end ${high}`)
    .join('; ');
  return `group ${groupId} ${group?.state ?? 'unknown'} (members: ${members}); ${partitions}`;
}

/**
 * Redeliveries after each fault: a record seen again counts against the last fault that had begun when it
 * was seen again. `faults` holds each fault's name and how many records the group had seen when it began.
 */
export function redeliveriesByFault(
  seen: readonly number[],
  faults: readonly { name: string; seenBefore: number }[],
): { name: string; redelivered: number; seenBefore: number }[] {
  const counts = faults.map((fault) => ({ ...fault, redelivered: 0 }));
  const once = new Set<number>();
  seen.forEach((seq, index) => {
    if (!once.has(seq)) {
      once.add(seq);
      return;
    }
    const fault = counts.findLast((candidate) => candidate.seenBefore <= index);
    if (fault) fault.redelivered++;
  });
  return counts;
}
