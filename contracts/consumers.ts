// The consumers of our topics and the release each was built against: one place, read by the
// compatibility check (which releases must stay readable), by the Spark job's runner (which DDL and JSON
// Schema it reads) and by the consumer pacts (what each consumer really expects).
import type { ReaderKind } from './compatibility.ts';

/** A deployed consumer: what it reads, with which kind of reader, built against which release. */
export interface ConsumerPin {
  name: string;
  /** The contract release it was built against (contracts/releases/<release>/). */
  release: string;
  /** The events it reads, by schema title. */
  reads: readonly string[];
  reader: ReaderKind;
}

/** Every consumer with a pin. Moving one to a newer release is a change of this line (see the README). */
export const CONSUMERS: readonly ConsumerPin[] = [
  // The names are the Pact consumer names (contracts/pact.ts), spelled out: the check must not load Pact.
  { name: 'spark-recommender', release: '1.0.0', reads: ['RatingEvent'], reader: 'spark' },
  { name: 'metrics-dashboard', release: '1.0.0', reads: ['MetricEvent'], reader: 'strict' },
];

/** The pin of a consumer, or an error naming the known ones. */
export function pinOf(name: string): ConsumerPin {
  const pin = CONSUMERS.find((consumer) => consumer.name === name);
  if (!pin)
    throw new Error(
      `no consumer "${name}" in contracts/consumers.ts: ${CONSUMERS.map((c) => c.name).join(', ')}`,
    );
  return pin;
}
