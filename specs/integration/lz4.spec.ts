// Protects LZ4: the broker re-encodes every batch of `ratings` with LZ4 whatever the producer sent,
// so our consumer must read uncompressed, gzip and LZ4 batches alike, with our frame-format codec.
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import { RATINGS_TOPIC } from '../../contracts/topics.ts';
import { lz4Codec, lz4CodecRegistered } from '../../helpers/clients/lz4-codec.ts';
import { consumeRatings, uniqueGroupId } from '../../helpers/consumer/ratings-consumer.ts';
import { isolatedTopic, runKafka, sendRaw } from '../support/broker.ts';
import { kcatMissing, kcatReadAll, withKcat } from '../support/kcat.ts';

const event = (userId: number) =>
  JSON.stringify({ userId, movieId: 31, rating: 2.5, timestamp: 1_260_759_144_000 });

describe('ratings topic LZ4', () => {
  it('is registered by every client this project builds', () => {
    runKafka();
    expect(lz4CodecRegistered()).toBe(true);
    expect(CompressionCodecs[CompressionTypes.LZ4]).toBe(lz4Codec);
  });

  it('reads records produced uncompressed, gzip and LZ4 from the LZ4 topic', async () => {
    const kafka = runKafka();
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    const codecs = [CompressionTypes.None, CompressionTypes.GZIP, CompressionTypes.LZ4];
    for (const [i, compression] of codecs.entries()) {
      await sendRaw(kafka, topic.name, [{ key: String(i + 1), value: event(i + 1) }], compression);
    }

    const summary = await consumeRatings(kafka, {
      topic: topic.name,
      groupId: uniqueGroupId(),
      fromBeginning: true,
      maxMessages: 3,
      idleTimeoutMs: 20_000,
    });
    expect(summary).toMatchObject({ total: 3, valid: 3, invalid: 0, stoppedBecause: 'max-messages' });
  });

  it('decompresses uncompressed sends with our codec: proof the broker stored them as LZ4', async () => {
    const kafka = runKafka();
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    await sendRaw(kafka, topic.name, [{ key: '1', value: event(1) }], CompressionTypes.None);

    // A counting wrapper around our codec: if the batch came back uncompressed it would never be called.
    let decompressed = 0;
    CompressionCodecs[CompressionTypes.LZ4] = () => ({
      compress: lz4Codec().compress,
      decompress: (buffer: Buffer) => {
        decompressed++;
        return lz4Codec().decompress(buffer);
      },
    });
    try {
      const summary = await consumeRatings(kafka, {
        topic: topic.name,
        groupId: uniqueGroupId(),
        fromBeginning: true,
        maxMessages: 1,
        idleTimeoutMs: 20_000,
      });
      expect(summary.valid).toBe(1);
      expect(decompressed).toBeGreaterThanOrEqual(1);
    } finally {
      CompressionCodecs[CompressionTypes.LZ4] = lz4Codec;
    }
  });

  it.skipIf(kcatMissing)(withKcat('is readable by kcat too, with the same values'), async () => {
    const kafka = runKafka();
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    const values = [1, 2, 3].map(event);
    await sendRaw(
      kafka,
      topic.name,
      values.map((value, i) => ({ key: String(i + 1), value })),
      CompressionTypes.LZ4,
    );
    const lines = await kcatReadAll(inject('kafkaBrokers'), topic.name, '%s');
    expect(lines.sort()).toEqual([...values].sort());
  });
});
