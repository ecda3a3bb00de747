// Why a cluster refuses acks=all writes: partitions with fewer in-sync replicas than min.insync.replicas.
import type { Admin } from 'kafkajs';
import { describeTopics } from './topic-config.ts';

/**
 * The partitions of `topic` whose in-sync replicas are fewer than its `min.insync.replicas`, as one
 * sentence, or undefined when every partition has enough (or the topic cannot be read).
 */
export async function underMinInsyncReplicas(admin: Admin, topic: string): Promise<string | undefined> {
  const [observed, metadata] = await Promise.all([
    describeTopics(admin, [topic], ['min.insync.replicas']),
    admin.fetchTopicMetadata({ topics: [topic] }),
  ]);
  const minIsr = Number(observed.get(topic)?.config['min.insync.replicas'] ?? '1');
  const short = (metadata.topics[0]?.partitions ?? [])
    .filter((partition) => partition.isr.length < minIsr)
    .sort((a, b) => a.partitionId - b.partitionId)
    .map((partition) => `${topic}[${partition.partitionId}] has ${partition.isr.length} in sync`);
  if (short.length === 0) return undefined;
  return (
    `${short.join(', ')}, fewer than the topic's min.insync.replicas=${minIsr}: acks=all writes are ` +
    'refused until enough brokers are back'
  );
}
