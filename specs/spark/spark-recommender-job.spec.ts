// Protects what the real downstream makes of our records: the Spark Structured Streaming job
// (helpers/spark/ratings_to_metrics.py, on the pyspark and Kafka connector pinned in versions.json) parses
// every event our producer writes field for field with the generated DDL; its verdict on every record kind
// of the decoder's fixture table equals our tolerant decoder's, bar the disagreements named here; and the
// metric events it writes back decode with our metric decoder and pass the dashboard's handler.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka, Message } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { MetricEvent } from '../../contracts/metric.ts';
import { RATING_MAX_BYTES, type RatingEvent } from '../../contracts/rating.ts';
import { METRICS_TOPIC, RATINGS_TOPIC } from '../../contracts/topics.ts';
import { decodeMetric, decodeRating } from '../../helpers/codec/events.ts';
import { createRatingsProducer } from '../../helpers/producer/ratings-producer.ts';
import { randomRatings } from '../../helpers/sources/random-ratings.ts';
import { isolatedTopic, readOnly, runKafka, sendRaw, writes } from '../support/broker.ts';
import { handleMetricMessage } from '../support/pact/consumers.ts';
import { readTopic } from '../support/read-topic.ts';
import { findSpark, runSparkJob, type SparkJobRun } from '../support/spark-job.ts';
import { loadFixtures } from '../unit/fixture-table.ts';

const EVENTS = 10_000;
const SEED = 12;

const spark = findSpark();
const missing = 'missing' in spark ? spark.missing : undefined;
if (missing !== undefined) {
  // CI installs Spark (.ci/run's spark stage): there a missing Spark is a failure, never a skip.
  if (process.env.SPARK_REQUIRED === 'true') throw new Error(`SPARK_REQUIRED=true, but ${missing}`);
  console.info(`[skip] spark job specs: ${missing}`);
}
const skipReason = missing ?? (readOnly() ? 'KAFKA_READ_ONLY=true' : undefined);

/**
 * Record kinds on which Spark's verdict and our tolerant decoder's still differ, and why. The README's
 * Spark section says what a Spark job must do about each.
 */
const KNOWN_DISAGREEMENTS: Record<string, string> = {
  'two objects back to back':
    'from_json reads the first object and ignores the rest; the job only checks that the text ends with "}"',
};

/** One record of the verdict table: a fixture, or a kind the JSON fixtures cannot hold (no value, bad bytes). */
interface RecordKind {
  name: string;
  value: Buffer | null;
}

const text = (raw: string) => Buffer.from(raw, 'utf8');
const REFERENCE = '{"userId": 1, "movieId": 31, "rating": 2.5, "timestamp": 1260759144000}';
const { valid, invalid } = loadFixtures('ratings');
const RECORD_KINDS: RecordKind[] = [
  ...valid.map(({ name, raw }) => ({ name, value: text(raw) })),
  ...invalid.map(({ name, raw }) => ({ name, value: text(raw) })),
  { name: 'a null value (a tombstone)', value: null },
  { name: 'empty bytes', value: Buffer.alloc(0) },
  { name: 'exactly the size limit (padded with spaces)', value: text(REFERENCE.padEnd(RATING_MAX_BYTES)) },
  { name: 'one byte past the size limit', value: text(REFERENCE.padEnd(RATING_MAX_BYTES + 1)) },
  {
    name: 'not UTF-8, in a field a tolerant reader drops',
    value: Buffer.concat([text(`${REFERENCE.slice(0, -1)}, "note": "`), Buffer.of(0xc3, 0x28), text('"}')]),
  },
];

/** A row the job wrote with --verdicts: the record's coordinates, the parsed fields and its refusal. */
interface VerdictRow {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  userId: number | null;
  movieId: number | null;
  rating: number | null;
  /** A BIGINT, written as a string so that JSON.parse cannot round it. */
  timestamp: string | null;
  refusal: string | null;
}

function readVerdicts(dir: string): VerdictRow[] {
  return readdirSync(dir)
    .filter((file) => file.startsWith('part-') && file.endsWith('.json'))
    .flatMap((file) => readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as VerdictRow);
}

const fieldsOf = (row: VerdictRow | RatingEvent) => ({
  userId: row.userId,
  movieId: row.movieId,
  rating: row.rating,
  timestamp: row.timestamp === null ? null : String(row.timestamp),
});

describe.skipIf(skipReason !== undefined)(
  writes(`spark-recommender job${missing ? ` (skipped: ${missing})` : ''}`),
  () => {
    const cleanups: (() => Promise<void>)[] = [];
    let verdictsDir: string | undefined;
    let kafka: Kafka;
    let events: RatingEvent[];
    let ratingsTopic: string;
    let kindsTopic: string;
    let metricsTopic: string;
    let run: SparkJobRun;
    let verdicts: VerdictRow[];

    // One Spark run serves every assertion: a session start alone costs seconds on 2 cores.
    beforeAll(async () => {
      if (!('installation' in spark)) return;
      verdictsDir = mkdtempSync(join(tmpdir(), 'spark-verdicts-'));
      kafka = runKafka();
      const onCleanup = (cleanup: () => Promise<void>) => void cleanups.push(cleanup);
      ratingsTopic = (await isolatedTopic(RATINGS_TOPIC, kafka, onCleanup)).name;
      kindsTopic = (await isolatedTopic(RATINGS_TOPIC, kafka, onCleanup)).name;
      metricsTopic = (await isolatedTopic(METRICS_TOPIC, kafka, onCleanup)).name;

      events = [...randomRatings(SEED, EVENTS)];
      await using producer = await createRatingsProducer(kafka, { topic: ratingsTopic });
      const sent = await producer.sendAll(events);
      expect(sent).toMatchObject({ sent: EVENTS, refusedCount: 0, error: undefined });
      // One partition, in table order: the offset of a record is its row in RECORD_KINDS.
      const messages: Message[] = RECORD_KINDS.map(({ value }, index) => ({
        key: `kind-${index}`,
        value,
        partition: 0,
      }));
      await sendRaw(kafka, kindsTopic, messages);

      run = await runSparkJob(spark.installation, {
        brokers: inject('kafkaBrokers'),
        ratingsTopic: `${ratingsTopic},${kindsTopic}`,
        metricsTopic,
        verdictsDir,
        // Half a minute on an idle 2-core machine; several times that beside other JVM-heavy specs.
        timeoutMs: 150_000,
      });
      const summary = run.summary;
      console.info(
        `[spark] pyspark ${summary?.spark}: session start ${seconds(summary?.sessionStartMs)}, query ${seconds(summary?.queryMs)}, ` +
          `job total ${seconds(summary?.totalMs)}, process wall ${seconds(run.wallMs)}, JVM peak RSS ${summary?.jvmPeakRssMb} MB; ` +
          `${summary?.records} records read, ${summary?.refused} refused, ${summary?.metricEvents} metric events in ${summary?.batches} batch(es)`,
      );
      verdicts = readVerdicts(verdictsDir);
    }, 240_000);

    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
      if (verdictsDir !== undefined) rmSync(verdictsDir, { recursive: true, force: true });
    });

    it('runs to completion and says so in one JSON line, with the contract size limit', () => {
      expect(run.summary, run.stderrTail).toMatchObject({ ok: true, maxBytes: RATING_MAX_BYTES });
      expect(run.code).toBe(0);
      expect(run.summary?.records).toBe(EVENTS + RECORD_KINDS.length);
    });

    it(`parses all ${EVENTS} events of our producer with the generated DDL: no nulls, field for field, keyed by userId`, () => {
      const rows = verdicts.filter((row) => row.topic === ratingsTopic);
      expect(rows).toHaveLength(EVENTS);
      const refused = rows.filter((row) => row.refusal !== null);
      expect(refused.slice(0, 5), 'refused events').toEqual([]);
      const withNull = rows.filter((row) => Object.values(fieldsOf(row)).some((field) => field === null));
      expect(withNull.slice(0, 5), 'rows with a null field').toEqual([]);
      for (const row of rows) expect(row.key).toBe(String(row.userId));
      const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
      const read = rows.map((row) => JSON.stringify(fieldsOf(row))).sort(order);
      const sent = events.map((event) => JSON.stringify(fieldsOf(event))).sort(order);
      expect(read).toEqual(sent);
    });

    it('gives every record kind of the fixture table the verdict our tolerant decoder gives, bar the named disagreements', () => {
      const decode = decodeRating({ unknownFields: 'ignore' });
      const byOffset = new Map(
        verdicts.filter((row) => row.topic === kindsTopic).map((row) => [row.offset, row]),
      );
      const table = RECORD_KINDS.map((kind, offset) => {
        const ours = decode(kind.value);
        const row = byOffset.get(offset);
        if (!row) throw new Error(`no verdict for "${kind.name}" (offset ${offset})`);
        const sparkAccepts = row.refusal === null;
        // Where both accept, Spark must also have read the very values our decoder did.
        if (ours.ok && sparkAccepts) expect(fieldsOf(row), kind.name).toEqual(fieldsOf(ours.value));
        return {
          name: kind.name,
          decoder: ours.ok ? 'accept' : `refuse (${ours.kind})`,
          spark: sparkAccepts ? 'accept' : `refuse (${row.refusal})`,
          agree: ours.ok === sparkAccepts,
        };
      });
      console.info(
        `[spark] verdicts, decoder (unknownFields: 'ignore') vs the Spark job:\n${formatTable(table)}`,
      );
      const disagreements = table.filter((row) => !row.agree).map((row) => row.name);
      expect(disagreements).toEqual(Object.keys(KNOWN_DISAGREEMENTS));
    });

    it("writes count and mean rating per movie as metric events that decode and pass the dashboard's handler", async () => {
      const expected = run.summary?.metricEvents ?? 0;
      expect(expected).toBeGreaterThan(0);
      const records = await readTopic(kafka, metricsTopic, expected);
      expect(records).toHaveLength(expected);
      const decode = decodeMetric();
      const metrics: MetricEvent[] = records.map((record) => {
        const decoded = decode(record.value === null ? null : Buffer.from(record.value));
        if (!decoded.ok) throw new Error(`metric at offset ${record.offset} refused: ${decoded.message}`);
        expect(handleMetricMessage({ ...record, topic: metricsTopic })).toEqual(decoded.value);
        return decoded.value;
      });
      // The last event per movie and name is the movie's final figure (update mode re-emits changed rows).
      const final = new Map<string, number>();
      for (const metric of metrics) {
        expect(metric).toMatchObject({ source: 'spark-recommender', tags: { movieId: expect.any(String) } });
        if (metric.tags?.topic === ratingsTopic)
          final.set(`${metric.tags.movieId} ${metric.name}`, metric.value);
      }
      const perMovie = new Map<number, { count: number; sum: number }>();
      for (const { movieId, rating } of events) {
        const movie = perMovie.get(movieId) ?? { count: 0, sum: 0 };
        perMovie.set(movieId, { count: movie.count + 1, sum: movie.sum + rating });
      }
      expect(final.size).toBe(perMovie.size * 2);
      for (const [movieId, { count, sum }] of perMovie) {
        expect(final.get(`${movieId} spark.movie.ratings`), `movie ${movieId} count`).toBe(count);
        expect(final.get(`${movieId} spark.movie.rating-mean`), `movie ${movieId} mean`).toBeCloseTo(
          sum / count,
          9,
        );
      }
    });
  },
);

function seconds(ms: number | undefined): string {
  return ms === undefined ? '?' : `${(ms / 1000).toFixed(1)} s`;
}

function formatTable(rows: { name: string; decoder: string; spark: string; agree: boolean }[]): string {
  const cell = (value: string, width: number) => value.slice(0, width).padEnd(width);
  const width = { name: 58, decoder: 24, spark: 70 };
  const line = (name: string, decoder: string, sparkVerdict: string, agree: string) =>
    `| ${cell(name, width.name)} | ${cell(decoder, width.decoder)} | ${cell(sparkVerdict, width.spark)} | ${agree} |`;
  return [
    line('record kind', 'decoder', 'spark job', 'agree'),
    `|${'-'.repeat(width.name + 2)}|${'-'.repeat(width.decoder + 2)}|${'-'.repeat(width.spark + 2)}|-------|`,
    ...rows.map((row) =>
      line(
        row.name,
        row.decoder,
        row.spark,
        row.agree ? 'yes  ' : `NO: ${KNOWN_DISAGREEMENTS[row.name] ? 'named' : 'NEW'}`,
      ),
    ),
  ].join('\n');
}
