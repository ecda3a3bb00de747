// Protects the consumer against bad input on `ratings`: every invalid record is counted by reason and
// routed with its original bytes to the dead-letter topic, valid records around it are all delivered,
// nothing stalls, and a failed dead-letter write commits nothing past the record.
import { describe, expect, it } from 'vitest';
import { RATINGS_DLQ_TOPIC, RATINGS_TOPIC } from '../../contracts/topics.ts';
import { DLQ_HEADERS } from '../../helpers/consumer/dead-letter.ts';
import { consumeRatings, uniqueGroupId } from '../../helpers/consumer/ratings-consumer.ts';
import { connectedAdmin, isolatedTopic, runKafka, sendRaw } from '../support/broker.ts';
import { readTopic } from '../support/read-topic.ts';

const valid = (userId: number) =>
  Buffer.from(JSON.stringify({ userId, movieId: 31, rating: 2.5, timestamp: 1_260_759_144_000 }));

/** Each kind of bad input, with the reason the consumer must give. */
const BAD_INPUT: { name: string; value: Buffer | null; kind: string }[] = [
  { name: 'malformed JSON', value: Buffer.from('{"userId": 1, "movieId": '), kind: 'not-json' },
  { name: 'bytes that are not UTF-8', value: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), kind: 'not-utf8' },
  { name: 'an empty value', value: Buffer.alloc(0), kind: 'empty' },
  { name: 'a null value (tombstone)', value: null, kind: 'null' },
  {
    name: 'wrong types',
    value: Buffer.from('{"userId": "1", "movieId": 31, "rating": "2.5", "timestamp": 1}'),
    kind: 'schema',
  },
  {
    name: 'out-of-range values',
    value: Buffer.from('{"userId": 0, "movieId": 99999, "rating": 5.5, "timestamp": -1}'),
    kind: 'schema',
  },
  {
    name: 'an extra field',
    value: Buffer.from('{"userId": 1, "movieId": 31, "rating": 2.5, "timestamp": 1, "comment": "x"}'),
    kind: 'schema',
  },
  { name: 'a JSON array', value: Buffer.from('[1, 31, 2.5, 1]'), kind: 'not-object' },
  // Just under the broker's default 1 MiB record limit once headers and framing are added.
  { name: 'a value near the broker size limit', value: Buffer.alloc(1_000_000, 0x20), kind: 'too-large' },
];

describe('ratings consumer with bad input', () => {
  it('routes every invalid record to the dead-letter topic with its bytes and reason, and delivers every valid one', async () => {
    const kafka = runKafka();
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    const dlq = await isolatedTopic(RATINGS_DLQ_TOPIC, kafka);
    // Interleave: valid, bad, valid, bad... all on one key so the order on the partition is known.
    const messages = BAD_INPUT.flatMap((bad, i) => [
      { key: '7', value: valid(1000 + i) },
      { key: '7', value: bad.value, headers: { case: bad.name } },
    ]);
    messages.push({ key: '7', value: valid(2000) });
    await sendRaw(kafka, topic.name, messages);

    const group = uniqueGroupId();
    const summary = await consumeRatings(kafka, {
      topic: topic.name,
      groupId: group,
      fromBeginning: true,
      maxMessages: messages.length,
      idleTimeoutMs: 20_000,
      deadLetterTopic: dlq.name,
    });
    expect(summary).toMatchObject({
      total: messages.length,
      valid: BAD_INPUT.length + 1,
      invalid: BAD_INPUT.length,
      deadLettered: BAD_INPUT.length,
      error: undefined,
    });
    expect(summary.valid + summary.invalid).toBe(messages.length);
    const expectedByReason: Record<string, number> = {};
    for (const bad of BAD_INPUT) expectedByReason[bad.kind] = (expectedByReason[bad.kind] ?? 0) + 1;
    expect(summary.invalidByReason).toEqual(expectedByReason);

    const letters = await readTopic(kafka, dlq.name, BAD_INPUT.length);
    expect(letters).toHaveLength(BAD_INPUT.length);
    const raw = await rawValues(kafka, dlq.name, BAD_INPUT.length);
    for (const bad of BAD_INPUT) {
      const letter = raw.find((entry) => entry.headers.case === bad.name);
      expect(letter, bad.name).toBeDefined();
      expect(letter?.value === null ? null : Buffer.compare(letter!.value, bad.value!), bad.name).toBe(
        bad.value === null ? null : 0,
      );
      expect(letter?.headers[DLQ_HEADERS.kind], bad.name).toBe(bad.kind);
      expect(letter?.headers[DLQ_HEADERS.topic]).toBe(topic.name);
      expect(letter?.headers[DLQ_HEADERS.message]?.length).toBeGreaterThan(0);
    }

    const admin = await connectedAdmin(kafka);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic.name] });
    const ends = await admin.fetchTopicOffsets(topic.name);
    for (const { partition, high } of ends) {
      expect(
        committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1',
        `partition ${partition}`,
      ).toBe(high === '0' ? '-1' : high);
    }
  });

  it('commits nothing past an invalid record when the dead-letter write fails, and says why', async () => {
    const kafka = runKafka();
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    await sendRaw(kafka, topic.name, [
      { key: '7', value: valid(1) },
      { key: '7', value: Buffer.from('not json') },
    ]);

    const group = uniqueGroupId();
    const summary = await consumeRatings(kafka, {
      topic: topic.name,
      groupId: group,
      fromBeginning: true,
      maxMessages: 2,
      idleTimeoutMs: 30_000,
      // Auto-creation is off on every broker this project starts: this topic does not exist.
      deadLetterTopic: `missing-dlq-${topic.name}`,
    });
    expect(summary.stoppedBecause).toBe('error');
    expect(summary.error).toMatch(/dead-letter write to missing-dlq-.* failed, offsets not committed/);
    const admin = await connectedAdmin(kafka);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic.name] });
    expect(committed?.partitions.every((p) => p.offset === '-1')).toBe(true);
  });
});

/** Reads raw values (Buffers, nulls) and headers of a topic: the dead letters byte for byte. */
async function rawValues(kafka: ReturnType<typeof runKafka>, topic: string, expected: number) {
  const consumer = kafka.consumer({ groupId: uniqueGroupId('dlq-reader'), maxWaitTimeInMs: 100 });
  const out: { value: Buffer | null; headers: Record<string, string> }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        );
        out.push({ value: message.value, headers });
      },
    });
    await expect.poll(() => out.length, { timeout: 20_000 }).toBe(expected);
  } finally {
    await consumer.disconnect();
  }
  return out;
}
