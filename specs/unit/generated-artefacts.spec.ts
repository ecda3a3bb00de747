// Protects the artefacts other teams build on (JSON Schema, Spark schemas, AsyncAPI): they are committed,
// so they must be exactly what the contracts generate today, valid, and as strict as our own decoder.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AsyncAPIDocumentInterface,
  type Diagnostic,
  DiagnosticSeverity,
  Parser,
} from '@asyncapi/parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { MetricEvent } from '../../contracts/metric.ts';
import { RatingEvent } from '../../contracts/rating.ts';
import { TOPICS } from '../../contracts/topics.ts';
import {
  asyncApiDocument,
  GENERATED_DIR,
  jsonSchemaOf,
  renderArtefacts,
  sparkDdlOf,
  sparkStructTypeOf,
} from '../../helpers/artefacts/generate.ts';
import { decodeMetric, decodeRating } from '../../helpers/codec/events.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GENERATED = join(ROOT, GENERATED_DIR);
const REGENERATE = 'run `npm run contracts:generate` and commit contracts/generated/';

describe('the committed artefacts are what the contracts generate', () => {
  const expected = renderArtefacts();
  const committed = readdirSync(GENERATED, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(GENERATED, join(entry.parentPath, entry.name)).replaceAll('\\', '/'))
    .sort();

  it.each([...expected.keys()])('%s is up to date', (file) => {
    const path = join(GENERATED, file);
    const content = committed.includes(file) ? readFileSync(path, 'utf8') : undefined;
    expect(content, `${GENERATED_DIR}/${file} is missing or stale: ${REGENERATE}`).toBe(expected.get(file));
  });

  it('holds no file the generator no longer produces', () => {
    const stale = committed.filter((file) => !expected.has(file));
    expect(stale, `stale files in ${GENERATED_DIR}: ${REGENERATE}`).toEqual([]);
  });

  it('renders the same bytes twice, each file ending with a newline', () => {
    const again = renderArtefacts();
    expect([...again]).toEqual([...expected]);
    for (const content of expected.values()) expect(content.endsWith('\n')).toBe(true);
  });
});

describe('the AsyncAPI document', () => {
  let document: AsyncAPIDocumentInterface;
  let diagnostics: Diagnostic[];

  beforeAll(async () => {
    const parsed = await new Parser().parse(readFileSync(join(GENERATED, 'asyncapi.json'), 'utf8'));
    diagnostics = parsed.diagnostics;
    if (!parsed.document) throw new Error(`the document does not parse: ${listDiagnostics(diagnostics)}`);
    document = parsed.document;
  });

  it('parses with no error diagnostics', () => {
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === DiagnosticSeverity.Error);
    expect(errors, listDiagnostics(errors)).toEqual([]);
    expect(document.version()).toBe('3.0.0');
  });

  it('fails the parser when a binding breaks its schema (the check above is not vacuous)', async () => {
    const broken = asyncApiDocument();
    type Channel = { bindings: { kafka: { topicConfiguration: Record<string, unknown> } } };
    const ratings = (broken.channels as Record<string, Channel>).ratings!;
    // Kafka's own string form of the setting; the binding requires a number.
    ratings.bindings.kafka.topicConfiguration['retention.ms'] = '604800000';
    const parsed = await new Parser().parse(JSON.stringify(broken));
    const errors = parsed.diagnostics.filter(
      (diagnostic) => diagnostic.severity === DiagnosticSeverity.Error,
    );
    expect(errors.map((error) => error.path.join('/'))).toContain(
      'channels/ratings/bindings/kafka/topicConfiguration/retention.ms',
    );
  });

  it('declares one channel per topic, with the partitions, replicas and config of TOPICS', () => {
    const channels = document.channels().all();
    expect(channels.map((channel) => channel.address()).sort()).toEqual(TOPICS.map((t) => t.name).sort());
    for (const topic of TOPICS) {
      const channel = channels.find((candidate) => candidate.address() === topic.name);
      const kafka = channel?.bindings().get('kafka')?.value();
      expect(kafka, topic.name).toEqual({
        topic: topic.name,
        partitions: topic.partitions,
        replicas: topic.replicationFactor,
        topicConfiguration: expect.objectContaining({
          'cleanup.policy': topic.config['cleanup.policy']?.split(','),
          'retention.ms': Number(topic.config['retention.ms']),
          'compression.type': topic.config['compression.type'],
        }),
      });
    }
  });

  it('keys each message with the pattern of its topic spec', () => {
    for (const topic of TOPICS) {
      const messages = document.channels().get(topic.name)?.messages().all() ?? [];
      expect(messages.length, topic.name).toBeGreaterThan(0);
      for (const message of messages) {
        const key = message.bindings().get('kafka')?.value().key;
        expect(key, `${topic.name} ${message.id()}`).toEqual(
          topic.key === null
            ? undefined
            : { type: 'string', pattern: topic.key.pattern, description: topic.key.description },
        );
      }
    }
  });

  it('carries the event JSON Schemas as message payloads', () => {
    for (const [topic, schema] of [
      ['ratings', RatingEvent],
      ['metrics', MetricEvent],
    ] as const) {
      const [message] = document.channels().get(topic)?.messages().all() ?? [];
      const { $schema: _dialect, ...payload } = jsonSchemaOf(schema);
      // The parser annotates every (sub)schema with an `x-parser-schema-id`; the rest must be the schema.
      const annotated = JSON.stringify(message?.payload()?.json());
      const parsed = JSON.parse(annotated, (key, value) => (key.startsWith('x-parser-') ? undefined : value));
      expect(parsed, topic).toEqual(payload);
    }
  });

  it('lets the producer send ratings, the Spark recommender receive them, and metrics flow both ways', () => {
    const operations = document
      .operations()
      .all()
      .map((operation) => `${operation.action()} ${operation.channels().all()[0]?.address()}`);
    expect(operations).toEqual(
      expect.arrayContaining(['send ratings', 'receive ratings', 'send metrics', 'receive metrics']),
    );
    const server = document.servers().get('local');
    expect([server?.protocol(), server?.host()]).toEqual(['kafka', 'localhost:9092']);
  });
});

describe('the JSON Schemas accept and reject what the project decoder does', () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  const validateRating = ajv.compile(jsonSchemaOf(RatingEvent));
  const validateMetric = ajv.compile(jsonSchemaOf(MetricEvent));
  const rating = (fields: Record<string, unknown>) =>
    JSON.stringify({ userId: 1, movieId: 31, rating: 2.5, timestamp: 1_260_759_144_000, ...fields });

  it.each([
    ['a plain rating', rating({}), true],
    ['a rating of 5 written as the integer 5', rating({ rating: 5 }), true],
    ['the lowest rating, 0.5', rating({ rating: 0.5 }), true],
    ['a rating off the half-star grid, 4.25', rating({ rating: 4.25 }), false],
    ['a rating of 0', rating({ rating: 0 }), false],
    ['userId 0', rating({ userId: 0 }), false],
    ['the highest userId, 138493', rating({ userId: 138_493 }), true],
    ['userId 138494', rating({ userId: 138_494 }), false],
    ['a fractional userId', rating({ userId: 1.5 }), false],
    ['movieId 131263', rating({ movieId: 131_263 }), false],
    ['movieId 27279 (ids run past the movie count)', rating({ movieId: 27_279 }), true],
    ['timestamp as the string "2024"', rating({ timestamp: '2024' }), false],
    ['timestamp 0', rating({ timestamp: 0 }), false],
    ['timestamp past 2^53', rating({}).replace('1260759144000', '9007199254740992'), false],
    ['a missing movieId', JSON.stringify({ userId: 1, rating: 2.5, timestamp: 1 }), false],
    ['an unknown field', rating({ comment: 'great' }), false],
  ])('%s', (_case, text, valid) => {
    const decoded = decodeRating()(Buffer.from(text));
    expect(decoded.ok, `decoder on ${text}`).toBe(valid);
    expect(validateRating(JSON.parse(text)), `JSON Schema on ${text}`).toBe(valid);
  });

  it('is stricter in the decoder only about integer literals, which JSON Schema cannot see', () => {
    // JSON.parse reads 1.26e12 as an integer; a Java long reader does not, so the decoder refuses it.
    const text = rating({}).replace('1260759144000', '1.260759144e12');
    expect(decodeRating()(Buffer.from(text)).ok).toBe(false);
    expect(validateRating(JSON.parse(text))).toBe(true);
  });

  it.each([
    ['a metric with tags', { tags: { runId: 'r1' } }, true],
    ['a metric without tags', {}, true],
    ['an unknown unit', { unit: 'seconds' }, false],
    ['a tag value that is not a string', { tags: { partition: 2 } }, false],
    ['an unknown field', { host: 'a' }, false],
  ])('metric: %s', (_case, fields, valid) => {
    const event = {
      name: 'producer.throughput',
      value: 1250.5,
      unit: 'messages/s',
      source: 'producer',
      window: { startMs: 1_700_000_000_000, endMs: 1_700_000_001_000 },
      timestamp: 1_700_000_001_000,
      ...fields,
    };
    expect(decodeMetric()(Buffer.from(JSON.stringify(event))).ok).toBe(valid);
    expect(validateMetric(event)).toBe(valid);
  });
});

describe('the Spark schemas', () => {
  it('declares the rating columns in DDL, the rating as DOUBLE so that 5 and 4.5 read alike', () => {
    expect(sparkDdlOf(RatingEvent)).toBe(
      '`userId` INT NOT NULL, `movieId` INT NOT NULL, `rating` DOUBLE NOT NULL, `timestamp` BIGINT NOT NULL',
    );
    const fields = sparkStructTypeOf(RatingEvent).fields as { name: string; type: unknown }[];
    expect(fields.find((field) => field.name === 'rating')?.type).toBe('double');
  });

  it('maps the metric window to a struct, the unit enum to STRING and the optional tags to a nullable map', () => {
    const ddl = sparkDdlOf(MetricEvent);
    expect(ddl).toContain('`window` STRUCT<`startMs`: BIGINT NOT NULL, `endMs`: BIGINT NOT NULL> NOT NULL');
    expect(ddl).toContain('`unit` STRING NOT NULL');
    expect(ddl).toContain('`value` DOUBLE NOT NULL');
    expect(ddl).toMatch(/`tags` MAP<STRING, STRING>(, |$)/);
  });

  it('lists the same columns in the StructType JSON as in the DDL, in Spark key order', () => {
    const struct = sparkStructTypeOf(RatingEvent);
    expect(Object.keys(struct)).toEqual(['type', 'fields']);
    const fields = struct.fields as Record<string, unknown>[];
    expect(fields.map((field) => Object.keys(field))).toEqual(
      fields.map(() => ['name', 'type', 'nullable', 'metadata']),
    );
    expect(fields.map((field) => [field.name, field.type, field.nullable])).toEqual([
      ['userId', 'integer', false],
      ['movieId', 'integer', false],
      ['rating', 'double', false],
      ['timestamp', 'long', false],
    ]);
  });
});

function listDiagnostics(diagnostics: Diagnostic[]): string {
  return diagnostics.map((d) => `${d.path.join('/')}: ${d.message}`).join('\n');
}
