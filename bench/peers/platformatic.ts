#!/usr/bin/env node
// @platformatic/kafka as a peer: a maintained TypeScript client, configured as our tools are (idempotent,
// acks=all, LZ4, Java's murmur2 partitioner, sends of 2,000 records, 250 ms fetch wait, a commit per
// fetch); `--validate` adds our encoder or decoder per record: what our tools would cost on this client.
import { CompressionAlgorithms, Consumer, compatibilityPartitioner, Producer } from '@platformatic/kafka';
import { decodeRating } from '../../helpers/codec/events.ts';
import { type PeerArgs, parsePeerArgs, printReport } from './peer-args.ts';
import { batches, recordSource } from './records.ts';

const args = parsePeerArgs(process.argv.slice(2));
await (args.command === 'produce' ? produce(args) : consume(args));

async function produce({ brokers, topic, count, validate, seed }: PeerArgs): Promise<void> {
  const source = recordSource({ validate, seed, count });
  const producer = new Producer({
    clientId: 'bench-platformatic',
    bootstrapBrokers: brokers,
    idempotent: true,
    acks: -1,
    compression: CompressionAlgorithms.LZ4,
    // murmur2 & 0x7fffffff, then modulo the partition count: the Java client's default.
    partitioner: compatibilityPartitioner,
    autocreateTopics: false,
  });
  // The client connects and fetches its producer id on the first send: do that before the clock starts.
  await producer.metadata({ topics: [topic] });
  await producer.initIdempotentProducer({});
  let sent = 0;
  const started = performance.now();
  for (const batch of batches(source)) {
    await producer.send({ messages: batch.map(({ key, value }) => ({ topic, key, value })) });
    sent += batch.length;
  }
  const elapsedMs = performance.now() - started;
  await producer.close();
  printReport({ messages: sent, valid: sent, elapsedMs });
}

async function consume({ brokers, topic, count, validate, groupId }: PeerArgs): Promise<void> {
  const decode = decodeRating();
  const started = performance.now();
  const consumer = new Consumer({
    clientId: 'bench-platformatic',
    bootstrapBrokers: brokers,
    groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  // autocommit: true commits what was handed out after every fetch, like our commit per batch.
  const stream = await consumer.consume({
    topics: [topic],
    mode: 'earliest',
    autocommit: true,
    maxWaitTime: 250,
  });
  let messages = 0;
  let valid = 0;
  let elapsedMs = 0;
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('data', (message) => {
      if (messages >= count) return;
      messages++;
      if (validate && decode(message.value).ok) valid++;
      if (messages === count) {
        elapsedMs = performance.now() - started;
        resolve();
      }
    });
  });
  await stream.close();
  await consumer.close();
  printReport({ messages, valid: validate ? valid : messages, elapsedMs });
}
