// Runs consumeRatings in a process of its own, so a spec can SIGKILL it mid-run: one JSON line per
// record on stdout, written synchronously before the batch is committed, so nothing seen goes unreported.
// Usage: node specs/support/consumer-child.ts <brokers> <topic> <groupId> <sessionTimeoutMs>
import { writeSync } from 'node:fs';
import { kafkaClient } from '../../helpers/clients/kafka-client.ts';
import { consumeRatings } from '../../helpers/consumer/ratings-consumer.ts';

/** What the child prints, one JSON object per line. */
export type ChildLine =
  | { joined: true }
  | { seq: number; partition: number; offset: number }
  | { done: true; total: number };

const [brokers, topic, groupId, session] = process.argv.slice(2);
if (!brokers || !topic || !groupId || !session) {
  process.stderr.write('usage: consumer-child.ts <brokers> <topic> <groupId> <sessionTimeoutMs>\n');
  process.exit(2);
}

// A pipe on stdout is asynchronous in Node; a line still queued at SIGKILL would be a record the
// spec never hears of, and would look lost.
const print = (line: ChildLine): void => {
  writeSync(1, `${JSON.stringify(line)}\n`);
};

const summary = await consumeRatings(
  kafkaClient(brokers.split(','), { clientId: `consumer-child-${process.pid}` }),
  {
    topic,
    groupId,
    fromBeginning: true,
    sessionTimeoutMs: Number(session),
    // The parent ends this process; the idle timeout only bounds an orphan.
    idleTimeoutMs: 120_000,
    onJoined: () => print({ joined: true }),
    onEvent: (_event, record) =>
      print({ seq: Number(record.headers.seq), partition: record.partition, offset: Number(record.offset) }),
  },
);
print({ done: true, total: summary.total });
