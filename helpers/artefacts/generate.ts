// Derives the artefacts other teams consume (JSON Schema, Spark schemas, AsyncAPI) from the contracts, so
// no field list is ever restated by hand. `npm run contracts:generate` writes them to contracts/generated/.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type TObject, type TSchema, TypeGuard } from '@sinclair/typebox';
import { MetricEvent } from '../../contracts/metric.ts';
import { RatingEvent } from '../../contracts/rating.ts';
import {
  METRICS_TOPIC,
  PRODUCTION_OVERLAY,
  RATINGS_DLQ_TOPIC,
  RATINGS_TOPIC,
  TOPICS,
  type TopicSpec,
} from '../../contracts/topics.ts';
import packageJson from '../../package.json' with { type: 'json' };

/** Where the generated artefacts live, relative to the repository root. */
export const GENERATED_DIR = 'contracts/generated';

/** JSON Schema dialect of the generated schemas. */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** Kafka binding version the AsyncAPI document uses (the latest the parser knows). */
export const KAFKA_BINDING_VERSION = '0.5.0';

/** An event type with its artefact file stem and the topic that carries it. */
export interface EventArtefact {
  stem: string;
  schema: TObject;
  topic: TopicSpec;
}

/** The events that get artefacts, in output order. */
export const EVENT_ARTEFACTS: readonly EventArtefact[] = [
  { stem: 'rating-event', schema: RatingEvent, topic: RATINGS_TOPIC },
  { stem: 'metric-event', schema: MetricEvent, topic: METRICS_TOPIC },
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The schema's `$id` as a URN: stable, and it promises no URL that somebody would have to host. */
export function schemaIdOf(schema: TObject): string {
  return `urn:${packageJson.name}:schema:${titleOf(schema)}`;
}

/**
 * A standalone draft 2020-12 JSON Schema. The round trip through JSON drops TypeBox's symbol keys
 * (Kind, Optional); keywords are put in a canonical order so a TypeBox upgrade cannot reshuffle the file.
 */
export function jsonSchemaOf(schema: TObject): JsonObject {
  const plain = JSON.parse(JSON.stringify(schema)) as JsonObject;
  return canonicalSchema({ ...plain, $schema: JSON_SCHEMA_DIALECT, $id: schemaIdOf(schema) }) as JsonObject;
}

/** The Spark SQL type of a field as DDL: `INT`, `BIGINT`, `DOUBLE`, `STRING`, `STRUCT<...>`, `MAP<...>`. */
export function sparkDdlTypeOf(schema: TSchema): string {
  return ddlOfSparkType(sparkTypeOf(schema));
}

/** The Spark DDL of an event (what `StructType.fromDDL` and `from_json(col, ddl)` take). */
export function sparkDdlOf(schema: TObject): string {
  return structFieldsDdl(structFieldsOf(schema), ' ');
}

/** The Spark schema of an event in the exact format of Spark's `StructType.json` (`DataType.fromJson`). */
export function sparkStructTypeOf(schema: TObject): JsonObject {
  return sparkTypeJson(sparkTypeOf(schema)) as JsonObject;
}

/** The AsyncAPI 3.0.0 document of every topic in TOPICS, its messages and who sends and receives them. */
export function asyncApiDocument(): JsonObject {
  const channels: JsonObject = {};
  for (const topic of TOPICS) channels[topic.name] = channelOf(topic);

  const messages: JsonObject = {};
  const schemas: JsonObject = {};
  for (const event of EVENT_ARTEFACTS) {
    const name = titleOf(event.schema);
    // The AsyncAPI parser validates payloads as draft-07; these schemas use only keywords both
    // dialects share, so the payload is the generated schema minus its 2020-12 dialect marker.
    const { $schema: _dialect, ...payload } = jsonSchemaOf(event.schema);
    schemas[name] = payload;
    messages[name] = {
      name,
      title: name,
      contentType: 'application/json',
      payload: { $ref: `#/components/schemas/${name}` },
      bindings: { kafka: { ...keyBindingOf(event.topic), bindingVersion: KAFKA_BINDING_VERSION } },
    };
  }
  messages[DEAD_LETTER_MESSAGE] = {
    name: DEAD_LETTER_MESSAGE,
    title: 'Rating dead letter',
    summary: RATINGS_DLQ_TOPIC.description,
    contentType: 'application/octet-stream',
    // A dead letter is whatever bytes failed validation: no schema can promise anything about them.
    payload: { description: 'The original record value of `ratings`, byte for byte' },
    bindings: { kafka: { ...keyBindingOf(RATINGS_DLQ_TOPIC), bindingVersion: KAFKA_BINDING_VERSION } },
  };

  return {
    asyncapi: '3.0.0',
    info: {
      title: packageJson.name,
      version: packageJson.version,
      description: packageJson.description,
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: 'localhost:9092',
        protocol: 'kafka',
        description: 'A local development broker (single node, PLAINTEXT)',
      },
    },
    channels,
    operations: {
      sendRatings: operationOf('send', RATINGS_TOPIC, 'The ratings producer publishes user ratings'),
      receiveRatings: operationOf(
        'receive',
        RATINGS_TOPIC,
        'The Spark Structured Streaming recommender reads ratings to update its ALS model',
      ),
      sendRatingDeadLetters: operationOf(
        'send',
        RATINGS_DLQ_TOPIC,
        'The validating ratings consumer parks records that break the contract',
      ),
      sendMetrics: operationOf('send', METRICS_TOPIC, 'The Spark job and our own flows publish metrics'),
      receiveMetrics: operationOf('receive', METRICS_TOPIC, 'Dashboards and benchmarks read metrics'),
    },
    components: { schemas, messages },
  };
}

/** The file holding the topic specs as data (part of every release). */
export const TOPICS_FILE = 'topics.json';

/** The topic specs as data: the development profile, and what the production profile changes. */
export function topicsDocument(): JsonObject {
  return JSON.parse(JSON.stringify({ topics: TOPICS, productionOverlay: PRODUCTION_OVERLAY })) as JsonObject;
}

/** Every generated file, keyed by its path relative to GENERATED_DIR, in a stable order. */
export function renderArtefacts(): Map<string, string> {
  const files = new Map<string, string>();
  for (const event of EVENT_ARTEFACTS) {
    files.set(`${event.stem}.schema.json`, prettyJson(jsonSchemaOf(event.schema)));
    files.set(`${event.stem}.spark.ddl`, `${sparkDdlOf(event.schema)}\n`);
    // Compact on purpose: byte for byte what Spark's `StructType.json` prints.
    files.set(`${event.stem}.spark.json`, `${JSON.stringify(sparkStructTypeOf(event.schema))}\n`);
  }
  files.set('asyncapi.json', prettyJson(asyncApiDocument()));
  files.set(TOPICS_FILE, prettyJson(topicsDocument()));
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Writes the artefacts into `directory` and deletes files there that are no longer generated. */
export function writeArtefacts(directory: string): string[] {
  const files = renderArtefacts();
  mkdirSync(directory, { recursive: true });
  for (const entry of readdirSync(directory, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && !files.has(path.slice(directory.length + 1).replaceAll('\\', '/'))) rmSync(path);
  }
  for (const [relative, content] of files) {
    const path = join(directory, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return [...files.keys()];
}

const DEAD_LETTER_MESSAGE = 'RatingDeadLetter';
const LEADING_KEYWORDS = ['$schema', '$id', 'title', 'description', 'type'];
// Keywords whose keys are names chosen by the contract: their declared order is kept (it is the column order).
const NAMED_SUBSCHEMAS = new Set(['properties', 'patternProperties']);
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

type SparkField = { name: string; type: SparkType; nullable: boolean };
type SparkType =
  | { kind: 'integer' | 'long' | 'double' | 'string' }
  | { kind: 'struct'; fields: SparkField[] }
  | { kind: 'map'; key: SparkType; value: SparkType };

const SPARK_ATOMIC_DDL = { integer: 'INT', long: 'BIGINT', double: 'DOUBLE', string: 'STRING' } as const;

function canonicalSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(canonicalSchema);
  if (node === null || typeof node !== 'object') return node;
  const keys = Object.keys(node).sort(
    (a, b) => keywordRank(a) - keywordRank(b) || (a < b ? -1 : a > b ? 1 : 0),
  );
  return Object.fromEntries(
    keys.map((key) => {
      const value = node[key] as Json;
      if (!NAMED_SUBSCHEMAS.has(key) || value === null || typeof value !== 'object' || Array.isArray(value)) {
        return [key, canonicalSchema(value)];
      }
      return [
        key,
        Object.fromEntries(Object.entries(value).map(([name, child]) => [name, canonicalSchema(child)])),
      ];
    }),
  );
}

function keywordRank(keyword: string): number {
  const rank = LEADING_KEYWORDS.indexOf(keyword);
  return rank === -1 ? LEADING_KEYWORDS.length : rank;
}

function titleOf(schema: TObject): string {
  if (typeof schema.title !== 'string') throw new Error('an event schema needs a title');
  return schema.title;
}

// Unsupported shapes throw: a silently wrong Spark schema would surface as nulls in the job.
function sparkTypeOf(schema: TSchema): SparkType {
  if (TypeGuard.IsInteger(schema)) {
    const low = schema.minimum ?? schema.exclusiveMinimum;
    const high = schema.maximum ?? schema.exclusiveMaximum;
    const fitsInt = low !== undefined && high !== undefined && low >= INT_MIN && high <= INT_MAX;
    return { kind: fitsInt ? 'integer' : 'long' };
  }
  // Our producers write 5.0, other writers 5: only a DOUBLE column reads 5, 5.0 and 4.5 alike.
  if (TypeGuard.IsNumber(schema)) return { kind: 'double' };
  if (TypeGuard.IsString(schema)) return { kind: 'string' };
  if (TypeGuard.IsLiteralString(schema)) return { kind: 'string' };
  if (TypeGuard.IsUnion(schema) && schema.anyOf.every((member) => TypeGuard.IsLiteralString(member))) {
    return { kind: 'string' };
  }
  if (TypeGuard.IsObject(schema)) return { kind: 'struct', fields: structFieldsOf(schema) };
  if (TypeGuard.IsRecord(schema)) {
    const [pattern, value] = Object.entries(schema.patternProperties)[0] ?? [];
    if (pattern === undefined || value === undefined) throw new Error('a record without a value schema');
    // JSON object keys are always strings, whatever pattern the record puts on them.
    return { kind: 'map', key: { kind: 'string' }, value: sparkTypeOf(value) };
  }
  throw new Error(`no Spark type for the schema ${JSON.stringify(schema)}`);
}

function structFieldsOf(schema: TObject): SparkField[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, child]) => ({
    name,
    type: sparkTypeOf(child),
    nullable: !required.has(name),
  }));
}

function structFieldsDdl(fields: SparkField[], separator: string): string {
  return fields
    .map((field) => {
      const type = ddlOfSparkType(field.type);
      return `${quoteIdentifier(field.name)}${separator}${type}${field.nullable ? '' : ' NOT NULL'}`;
    })
    .join(', ');
}

function ddlOfSparkType(type: SparkType): string {
  if (type.kind === 'struct') return `STRUCT<${structFieldsDdl(type.fields, ': ')}>`;
  if (type.kind === 'map') return `MAP<${ddlOfSparkType(type.key)}, ${ddlOfSparkType(type.value)}>`;
  return SPARK_ATOMIC_DDL[type.kind];
}

// Backticks make every name safe in Spark DDL, reserved words (`timestamp`) included.
function quoteIdentifier(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

// Key order follows Spark's own writer, so the output is the string `StructType.json` returns.
function sparkTypeJson(type: SparkType): Json {
  if (type.kind === 'struct') {
    return {
      type: 'struct',
      fields: type.fields.map((field) => ({
        name: field.name,
        type: sparkTypeJson(field.type),
        nullable: field.nullable,
        metadata: {},
      })),
    };
  }
  if (type.kind === 'map') {
    // DDL cannot say `valueContainsNull = false`; true keeps the DDL and the JSON the same type.
    return {
      type: 'map',
      keyType: sparkTypeJson(type.key),
      valueType: sparkTypeJson(type.value),
      valueContainsNull: true,
    };
  }
  return type.kind;
}

function channelOf(topic: TopicSpec): JsonObject {
  const { 'cleanup.policy': cleanupPolicy, 'retention.ms': retentionMs, ...otherConfig } = topic.config;
  const topicConfiguration: JsonObject = {};
  // The binding types these two: a policy list and a number; Kafka stores both as strings.
  if (cleanupPolicy !== undefined) topicConfiguration['cleanup.policy'] = cleanupPolicy.split(',');
  if (retentionMs !== undefined) topicConfiguration['retention.ms'] = Number(retentionMs);
  // topicConfiguration admits further properties: the rest keep Kafka's names; the binding types the
  // numeric ones it knows (max.message.bytes...) as integers, so every numeric value is written as one.
  for (const [name, value] of Object.entries(otherConfig)) {
    topicConfiguration[name] = /^-?\d+$/.test(value) ? Number(value) : value;
  }
  return {
    address: topic.name,
    title: topic.name,
    description: topic.description,
    messages: Object.fromEntries(
      messageNamesOf(topic).map((name) => [name, { $ref: `#/components/messages/${name}` }]),
    ),
    bindings: {
      kafka: {
        topic: topic.name,
        partitions: topic.partitions,
        replicas: topic.replicationFactor,
        topicConfiguration,
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
  };
}

function keyBindingOf(topic: TopicSpec): JsonObject {
  if (topic.key === null) return {};
  return { key: { type: 'string', pattern: topic.key.pattern, description: topic.key.description } };
}

function operationOf(action: 'send' | 'receive', topic: TopicSpec, summary: string): JsonObject {
  const channel = channelRefOf(topic);
  return {
    action,
    channel: { $ref: channel },
    summary,
    messages: messageNamesOf(topic).map((name) => ({ $ref: `${channel}/messages/${name}` })),
  };
}

function messageNamesOf(topic: TopicSpec): string[] {
  if (topic === RATINGS_DLQ_TOPIC) return [DEAD_LETTER_MESSAGE];
  return EVENT_ARTEFACTS.filter((event) => event.topic === topic).map((event) => titleOf(event.schema));
}

function channelRefOf(topic: TopicSpec): string {
  // JSON Pointer escaping: `~` and `/` are the only characters a channel id must have escaped.
  return `#/channels/${topic.name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

function prettyJson(value: Json): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

if (import.meta.main) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const written = writeArtefacts(join(root, GENERATED_DIR));
  for (const file of written) console.log(`${GENERATED_DIR}/${file}`);
}
