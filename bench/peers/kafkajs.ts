#!/usr/bin/env node
// kafkajs without our plumbing: the ceiling of our client. Same client settings as our producer and
// consumer (kafkaClient, idempotent, one request in flight, acks=all, LZ4, Java's partitioner, the same
// fetch wait and a commit per batch); `--validate` adds only our encoder or decoder per record.
import { CompressionTypes } from 'kafkajs';
import { kafkaClient } from '../../helpers/clients/kafka-client.ts';
import { decodeRating } from '../../helpers/codec/events.ts';
import { javaCompatiblePartitioner } from '../../helpers/producer/ratings-producer.ts';
import { type PeerArgs, parsePeerArgs, printReport } from './peer-args.ts';
import { batches, recordSource } from './records.ts';

const args = parsePeerArgs(process.argv.slice(2));
const kafka = kafkaClient(args.brokers, { clientId: 'bench-kafkajs' });
await (args.command === 'produce' ? produce(args) : consume(args));

async function produce({ topic, count, validate, keyedFile, seed }: PeerArgs): Promise<void> {
  const source = await recordSource({ validate, keyedFile, seed, count });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: javaCompatiblePartitioner,
  });
  await producer.connect();
  let sent = 0;
  const started = performance.now();
  for (const messages of batches(source)) {
    await producer.send({ topic, acks: -1, compression: CompressionTypes.LZ4, messages });
    sent += messages.length;
  }
  const elapsedMs = performance.now() - started;
  await producer.disconnect();
  printReport({ messages: sent, valid: sent, elapsedMs });
}

async function consume({ topic, count, validate, groupId }: PeerArgs): Promise<void> {
  const decode = decodeRating();
  // ratings-consumer.ts' settings, so the only difference from ours is what happens per record.
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 250,
  });
  let messages = 0;
  let valid = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const started = performance.now();
  let elapsedMs = 0;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      let last: string | undefined;
      for (const message of batch.messages) {
        if (messages >= count) break;
        messages++;
        if (validate && decode(message.value).ok) valid++;
        last = message.offset;
      }
      if (last === undefined) return;
      resolveOffset(last);
      await consumer.commitOffsets([
        { topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
      ]);
      await heartbeat();
      if (messages >= count) {
        elapsedMs = performance.now() - started;
        done();
      }
    },
  });
  await finished;
  await consumer.disconnect();
  printReport({ messages, valid: validate ? valid : messages, elapsedMs });
}
