#!/usr/bin/env node
// kafkajs without our plumbing: the ceiling of our client. Same client settings as our producer and
// consumer (kafkaClient, idempotent, one request in flight, acks=all, LZ4, Java's partitioner, the same
// session and fetch wait; kafkajs' autocommit after every batch); `--validate` adds only our encoder or decoder per record.
import { CompressionTypes } from 'kafkajs';
import { kafkaClient } from '../../helpers/clients/kafka-client.ts';
import { decodeRating } from '../../helpers/codec/events.ts';
import { javaCompatiblePartitioner } from '../../helpers/producer/ratings-producer.ts';
import { type PeerArgs, parsePeerArgs, printReport } from './peer-args.ts';
import { batches, recordSource } from './records.ts';

const args = parsePeerArgs(process.argv.slice(2));
const kafka = kafkaClient(args.brokers, { clientId: 'bench-kafkajs' });
await (args.command === 'produce' ? produce(args) : consume(args));

async function produce({ topic, count, validate, seed }: PeerArgs): Promise<void> {
  const source = recordSource({ validate, seed, count });
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
  // ratings-consumer.ts' session and fetch settings.
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
  // kafkajs' own autocommit, as a plain kafkajs reader has it: resolved offsets committed after every batch.
  await consumer.run({
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }) => {
      for (const message of batch.messages) {
        if (messages >= count) break;
        messages++;
        if (validate && decode(message.value).ok) valid++;
        resolveOffset(message.offset);
      }
      if (messages >= count && elapsedMs === 0) {
        // The clock stops at the last commit, as ours does.
        await commitOffsetsIfNecessary();
        elapsedMs = performance.now() - started;
        done();
      }
    },
  });
  await finished;
  await consumer.disconnect();
  printReport({ messages, valid: validate ? valid : messages, elapsedMs });
}
