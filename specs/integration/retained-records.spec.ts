// Protects the check against the data already there: the records a topic retains are judged with a
// contract's decoder, each refusal counted under its field and reason with coordinates that point at the
// refused record, `sample` bounds the work, and the scan joins no group and commits nothing.
import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { CompressionTypes, type Message } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import { RatingEvent } from '../../contracts/rating.ts';
import { RATINGS_TOPIC } from '../../contracts/topics.ts';
import { kafkaClient } from '../../helpers/clients/kafka-client.ts';
import { createDecoder } from '../../helpers/codec/decode.ts';
import { RATING_CONTRACT } from '../../helpers/codec/events.ts';
import { scanRetainedRecords } from '../../helpers/compat/retained-records.ts';
import { InfrastructureError } from '../../helpers/errors.ts';
import { connectedAdmin, isolatedTopic, runKafka, sendRaw, writes } from '../support/broker.ts';

/** The narrowing drill: movieIds only up to the MovieLens movie count. */
const NARROWED_MOVIE_ID_MAX = 27_278;
const narrowedRating = createDecoder({
  ...RATING_CONTRACT,
  schema: Type.Object(
    { ...RatingEvent.properties, movieId: Type.Integer({ minimum: 1, maximum: NARROWED_MOVIE_ID_MAX }) },
    { additionalProperties: false },
  ),
});

const MOVIE_ID = `movieId: expected an integer from 1 to ${NARROWED_MOVIE_ID_MAX}`;
const USER_ID = 'userId: expected an integer from 1 to 138493';
const NOT_JSON = 'value: not JSON';
const TOMBSTONE = 'value: null (a tombstone)';

const PER_PARTITION = 100;
const rating = (userId: number, movieId: number) =>
  JSON.stringify({ userId, movieId, rating: 3.5, timestamp: 1_260_759_144_000 + userId });

/**
 * The known mix, per partition in offset order: every tenth record (from the fourth) has a movieId past
 * the narrowing, four are not JSON, p1@60 breaks two fields, p2@50 is a tombstone; the rest are valid.
 */
function knownMix(partitions: number): { messages: Message[]; reasons: Map<string, string[]> } {
  const messages: Message[] = [];
  const reasons = new Map<string, string[]>();
  for (let partition = 0; partition < partitions; partition++) {
    for (let offset = 0; offset < PER_PARTITION; offset++) {
      const userId = partition * PER_PARTITION + offset + 1;
      let value: string | null = rating(userId, 31);
      let why: string[] = [];
      if (offset % 10 === 3) [value, why] = [rating(userId, 30_000 + offset), [MOVIE_ID]];
      else if (offset % 25 === 7) [value, why] = [`{"userId": ${userId}, "movieId": `, [NOT_JSON]];
      else if (partition === 1 && offset === 60) [value, why] = [rating(0, 40_000), [USER_ID, MOVIE_ID]];
      else if (partition === 2 && offset === 50) [value, why] = [null, [TOMBSTONE]];
      messages.push({ partition, key: String(userId), value });
      if (why.length > 0) reasons.set(`${partition}@${offset}`, why);
    }
  }
  return { messages, reasons };
}

describe('retained records check', () => {
  it(
    writes('counts each refusal of a narrowed contract by field and reason, at the right records'),
    async () => {
      const kafka = runKafka();
      const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
      const { messages, reasons } = knownMix(topic.partitions);
      await sendRaw(kafka, topic.name, messages, CompressionTypes.LZ4);

      const progress: [number, number][] = [];
      const scan = await scanRetainedRecords(kafka, {
        topic: topic.name,
        decode: narrowedRating,
        examplesPerReason: 100,
        onProgress: (done, fraction) => progress.push([done, fraction]),
      });

      expect(scan).toMatchObject({ topic: topic.name, scanned: 300, refused: 44, accepted: 256 });
      expect(scan.partitions).toEqual(
        [0, 1, 2].map((partition) => ({
          partition,
          from: '0',
          to: String(PER_PARTITION),
          read: PER_PARTITION,
        })),
      );
      expect(scan.byReason.map(({ path, reason, count }) => ({ path, reason, count }))).toEqual([
        { path: '/movieId', reason: MOVIE_ID, count: 31 },
        { path: '/', reason: NOT_JSON, count: 12 },
        { path: '/', reason: TOMBSTONE, count: 1 },
        { path: '/userId', reason: USER_ID, count: 1 },
      ]);
      // Every coordinate kept names a record refused for that reason, and every such record is named.
      for (const { reason, examples } of scan.byReason) {
        const named = examples.map(({ partition, offset }) => `${partition}@${offset}`).sort();
        const expected = [...reasons].filter(([, why]) => why.includes(reason)).map(([at]) => at);
        expect(named, reason).toEqual(expected.sort());
      }
      expect(progress.at(-1)).toEqual([300, 1]);
    },
  );

  it(writes('keeps the first few coordinates per reason and bounds the work by sample'), async () => {
    const kafka = runKafka();
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    const { messages, reasons } = knownMix(topic.partitions);
    await sendRaw(kafka, topic.name, messages, CompressionTypes.LZ4);

    const scan = await scanRetainedRecords(kafka, { topic: topic.name, decode: narrowedRating, sample: 31 });
    expect(scan.scanned).toBe(31);
    expect(scan.accepted + scan.refused).toBe(31);
    // Spread as evenly as the data allows: 11 + 10 + 10, each partition from its start, without gaps.
    expect(scan.partitions.map(({ read }) => read).sort()).toEqual([10, 10, 11]);
    for (const { from, to, read } of scan.partitions) expect(Number(to) - Number(from)).toBe(read);
    for (const { reason, count, examples } of scan.byReason) {
      expect(examples).toHaveLength(Math.min(count, 5));
      for (const { partition, offset } of examples) {
        expect(Number(offset)).toBeLessThan(11);
        expect(reasons.get(`${partition}@${offset}`), `${reason} at p${partition}@${offset}`).toContain(
          reason,
        );
      }
    }
    // Offsets 3 and 7 of each partition are the movieId and not-JSON refusals within the first ten.
    expect(scan.refused).toBe(6);

    const all = await scanRetainedRecords(kafka, {
      topic: topic.name,
      decode: narrowedRating,
      sample: 10_000,
    });
    expect(all.scanned).toBe(300);
  });

  it(writes('joins no consumer group and commits nothing'), async () => {
    const clientId = `retained-${randomUUID()}`;
    const kafka = kafkaClient(inject('kafkaBrokers'), { clientId });
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    await sendRaw(kafka, topic.name, knownMix(topic.partitions).messages);
    const scan = await scanRetainedRecords(kafka, { topic: topic.name, decode: narrowedRating });
    expect(scan.scanned).toBe(300);

    // The broker is shared with other specs, so their groups are there too: none may hold a member of
    // this client or an offset on this topic.
    const admin = await connectedAdmin(kafka);
    const { groups } = await admin.listGroups();
    const groupIds = groups.map(({ groupId }) => groupId);
    const described = groupIds.length > 0 ? (await admin.describeGroups(groupIds)).groups : [];
    const clientIds = new Set(described.flatMap(({ members }) => members.map(({ clientId }) => clientId)));
    expect(clientIds.has(clientId)).toBe(false);
    const committed = await Promise.all(
      groupIds.map(async (groupId) => {
        const [entry] = await admin.fetchOffsets({ groupId, topics: [topic.name] });
        return (entry?.partitions ?? []).filter(({ offset }) => offset !== '-1').map(() => groupId);
      }),
    );
    expect(committed.flat()).toEqual([]);
  });

  it(writes('reads nothing from an empty topic, and stops when aborted'), async () => {
    const kafka = runKafka();
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    const empty = await scanRetainedRecords(kafka, { topic: topic.name, decode: narrowedRating });
    expect(empty).toMatchObject({ scanned: 0, refused: 0, accepted: 0, byReason: [] });
    expect(empty.partitions.map(({ from, to, read }) => [from, to, read])).toEqual([
      ['0', '0', 0],
      ['0', '0', 0],
      ['0', '0', 0],
    ]);

    await sendRaw(kafka, topic.name, knownMix(topic.partitions).messages);
    const aborted = scanRetainedRecords(kafka, {
      topic: topic.name,
      decode: narrowedRating,
      signal: AbortSignal.abort(new Error('stopped by the user')),
    });
    await expect(aborted).rejects.toThrow('stopped by the user');
  });

  it('reports a missing topic as an infrastructure error naming it', async () => {
    const missing = `missing-${randomUUID()}`;
    const scanning = scanRetainedRecords(runKafka(), { topic: missing, decode: narrowedRating });
    await expect(scanning).rejects.toBeInstanceOf(InfrastructureError);
    await expect(scanning).rejects.toThrow(missing);
  });
});
