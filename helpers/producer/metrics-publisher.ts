// Publishes metric events to `metrics`: one encoder and one key rule, shared with the Pact provider so the
// pact is verified against the very records this publisher writes.
import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';
import type { MetricEvent } from '../../contracts/metric.ts';
import { METRICS_TOPIC } from '../../contracts/topics.ts';
import { createEncoder, type EncodeResult } from '../codec/encode.ts';
import { METRIC_CONTRACT } from '../codec/events.ts';

/** The key of a metric: its source (see METRICS_TOPIC.key), so one source's metrics stay in order. */
export const metricKey = (event: Pick<MetricEvent, 'source'>): string => event.source;

/** The value bytes of a metric exactly as the publisher writes them, or why it is refused. */
export const encodeMetric: (event: MetricEvent) => EncodeResult = createEncoder(METRIC_CONTRACT);

/** Options of {@link createMetricsPublisher}. */
export interface MetricsPublisherOptions {
  topic: string;
}

/** What one publish call did: events refused by the contract are reported, never sent. */
export interface PublishSummary {
  sent: number;
  refused: { index: number; message: string }[];
}

/**
 * Creates the metrics publisher: every event checked by the strict encoder, key = source, gzip (the
 * topic's compression, so the broker stores batches as sent), acks=all.
 */
export async function createMetricsPublisher(kafka: Kafka, options: Partial<MetricsPublisherOptions> = {}) {
  const topic = options.topic ?? METRICS_TOPIC.name;
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();

  /** Sends the valid events in one batch and reports the refused ones. */
  async function publish(events: readonly MetricEvent[]): Promise<PublishSummary> {
    const messages: Message[] = [];
    const refused: PublishSummary['refused'] = [];
    events.forEach((event, index) => {
      const encoded = encodeMetric(event);
      if (encoded.ok) messages.push({ key: metricKey(event), value: encoded.bytes });
      else refused.push({ index, message: encoded.message });
    });
    if (messages.length > 0)
      await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages });
    return { sent: messages.length, refused };
  }

  const disconnect = () => producer.disconnect();
  return { publish, disconnect, producer, [Symbol.asyncDispose]: disconnect };
}

/** The publisher handle returned by {@link createMetricsPublisher}. */
export type MetricsPublisher = Awaited<ReturnType<typeof createMetricsPublisher>>;
