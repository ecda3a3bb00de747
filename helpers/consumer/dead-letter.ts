import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import type { DecodeFailureKind } from '../codec/decode.ts';

/** Header names a dead letter carries, next to the original record's own headers. */
export const DLQ_HEADERS = {
  kind: 'dlq.error.kind',
  message: 'dlq.error.message',
  topic: 'dlq.original.topic',
  partition: 'dlq.original.partition',
  offset: 'dlq.original.offset',
  timestamp: 'dlq.original.timestamp',
} as const;

/** A record that failed validation, waiting to be written to the dead-letter topic. */
export interface DeadLetter {
  topic: string;
  partition: number;
  message: KafkaMessage;
  kind: DecodeFailureKind;
  reason: string;
}

/** Header values must stay small: a reason longer than this is cut. */
const MAX_REASON_CHARS = 2_000;

/**
 * Writes dead letters with their original key and bytes (a tombstone stays a tombstone) and the
 * reason in headers, acks=all. Resolves only when the broker acknowledged them all: the caller commits
 * the source offsets after this, never before, so a failed write loses nothing.
 */
export async function writeDeadLetters(
  producer: Producer,
  deadLetterTopic: string,
  letters: DeadLetter[],
): Promise<void> {
  if (letters.length === 0) return;
  await producer.send({
    topic: deadLetterTopic,
    acks: -1,
    messages: letters.map(({ topic, partition, message, kind, reason }) => {
      const headers: IHeaders = {
        ...(message.headers ?? {}),
        [DLQ_HEADERS.kind]: kind,
        [DLQ_HEADERS.message]: reason.slice(0, MAX_REASON_CHARS),
        [DLQ_HEADERS.topic]: topic,
        [DLQ_HEADERS.partition]: String(partition),
        [DLQ_HEADERS.offset]: message.offset,
        [DLQ_HEADERS.timestamp]: message.timestamp,
      };
      return { key: message.key, value: message.value, headers };
    }),
  });
}
