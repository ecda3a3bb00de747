// The Pact message contracts: who talks to whom, the interaction names both sides share, and the Pact
// matchers read off the TypeBox schemas, so a schema change moves the pacts without anyone editing them.
import { fileURLToPath } from 'node:url';
import { MatchersV3 } from '@pact-foundation/pact';
import { type TSchema, TypeGuard } from '@sinclair/typebox';
import type { MetricEvent } from './metric.ts';
import type { RatingEvent } from './rating.ts';
import { METRICS_TOPIC, RATINGS_TOPIC, type TopicSpec } from './topics.ts';

/** The provider of every pact here: this project's producers, named after its CLI. */
export const PACT_PROVIDER = 'ratings-kafka';
/** The Spark Structured Streaming job that reads `ratings`. */
export const SPARK_RECOMMENDER = 'spark-recommender';
/** The dashboard that reads `metrics`. */
export const METRICS_DASHBOARD = 'metrics-dashboard';
/** Every consumer with a pact, in a fixed order (publishing and verification read them in this order). */
export const PACT_CONSUMERS = [SPARK_RECOMMENDER, METRICS_DASHBOARD] as const;

/** Interaction description of the Spark pact; the provider finds its message builder by this name. */
export const RATING_MESSAGE = 'a rating event on the ratings topic';
/** Interaction description of the dashboard pact. */
export const METRIC_MESSAGE = 'a metric event on the metrics topic';

/** Content type of every record value this project writes. */
export const MESSAGE_CONTENT_TYPE = 'application/json';

/** Where pact files are written and read: `pacts/` at the repository root, committed. */
export const PACT_DIR = fileURLToPath(new URL('../pacts/', import.meta.url));

/** The pact file Pact writes for a consumer of our provider. */
export const pactFile = (consumer: string): string => `${PACT_DIR}${consumer}-${PACT_PROVIDER}.json`;

/**
 * The rating in the Spark pact: the reference document's example. Fixed values keep the pact file
 * byte-identical from run to run (a matcher without an example would make Pact generate one).
 */
export const RATING_EXAMPLE: RatingEvent = {
  userId: 1,
  movieId: 31,
  rating: 2.5,
  timestamp: 1_260_759_144_000,
};

/**
 * The metric in the dashboard pact. No `tags`: Pact cannot say "optional", so a key in the example is a
 * key every message must carry, and the publisher may leave tags out. The dashboard's decoder checks them.
 */
export const METRIC_EXAMPLE: MetricEvent = {
  name: 'producer.throughput',
  value: 1250.5,
  unit: 'messages/s',
  source: 'producer',
  window: { startMs: 1_700_000_000_000, endMs: 1_700_000_001_000 },
  timestamp: 1_700_000_001_005,
};

/** Record metadata a consumer relies on: the topic, the key and the content type. */
export interface MessageMetadata {
  topic: string;
  key: string;
  contentType: string;
}

/** The metadata matchers of a record on `topic` with the given example key (matched by the topic's key pattern). */
export function metadataMatchers(topic: TopicSpec, exampleKey: string): Record<string, unknown> {
  return {
    topic: MatchersV3.equal(topic.name),
    key: topic.key ? MatchersV3.regex(topic.key.pattern, exampleKey) : MatchersV3.string(exampleKey),
    contentType: MatchersV3.equal(MESSAGE_CONTENT_TYPE),
  };
}

/** Metadata matchers of the Spark pact. */
export const RATING_METADATA = metadataMatchers(RATINGS_TOPIC, String(RATING_EXAMPLE.userId));
/** Metadata matchers of the dashboard pact. */
export const METRIC_METADATA = metadataMatchers(METRICS_TOPIC, METRIC_EXAMPLE.source);

/**
 * Pact matchers for `example` read off `schema`: integer → `integer`, number → `number` (never `decimal`,
 * which refuses the `5` that other writers send for a rating of 5.0), string → `regex` with its pattern or `string`,
 * a union of literals → `regex` of the alternatives, object → `like` of its fields, record → `eachKeyLike`.
 * What matchers cannot say (the half-star grid, id ranges, length limits) the consumer's decoder checks.
 * Throws on a construct it does not know, so a schema change cannot silently loosen a pact.
 */
export function matchersFor(schema: TSchema, example: unknown, path = '$'): unknown {
  if (TypeGuard.IsInteger(schema)) return MatchersV3.integer(exampleOf(example, 'number', path));
  if (TypeGuard.IsNumber(schema)) return MatchersV3.number(exampleOf(example, 'number', path));
  if (TypeGuard.IsString(schema)) {
    const text = exampleOf(example, 'string', path);
    return schema.pattern === undefined ? MatchersV3.string(text) : MatchersV3.regex(schema.pattern, text);
  }
  if (TypeGuard.IsUnion(schema) && schema.anyOf.every(TypeGuard.IsLiteral)) {
    const members = schema.anyOf.map((member) => escapeRegex(String(member.const)));
    return MatchersV3.regex(`^(?:${members.join('|')})$`, exampleOf(example, 'string', path));
  }
  if (TypeGuard.IsObject(schema)) {
    const fields = expectObject(example, path);
    const matched: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(schema.properties)) {
      // An optional field the example leaves out is not part of the pact: the provider may omit it.
      if (!Object.hasOwn(fields, key)) {
        if (TypeGuard.IsOptional(child)) continue;
        throw new Error(`${path}.${key}: the example omits a required field`);
      }
      matched[key] = matchersFor(child, fields[key], `${path}.${key}`);
    }
    return MatchersV3.like(matched);
  }
  if (TypeGuard.IsRecord(schema)) {
    const entries = Object.entries(expectObject(example, path));
    const [first] = entries;
    if (!first) throw new Error(`${path}: the example of a record needs one entry to show its values`);
    const [, valueSchema] = Object.entries(schema.patternProperties)[0] ?? [];
    if (!valueSchema) throw new Error(`${path}: a record without a value schema`);
    return MatchersV3.eachKeyLike(first[0], matchersFor(valueSchema, first[1], `${path}.*`));
  }
  throw new Error(
    `${path}: no Pact matcher for a schema of kind ${String(Reflect.get(schema, Symbol.for('TypeBox.Kind')))}`,
  );
}

function exampleOf<K extends 'number' | 'string'>(
  value: unknown,
  type: K,
  path: string,
): K extends 'number' ? number : string {
  if (typeof value !== type) throw new Error(`${path}: the example must be a ${type}, found ${typeof value}`);
  return value as K extends 'number' ? number : string;
}

function expectObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${path}: the example must be an object`);
  return value as Record<string, unknown>;
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
