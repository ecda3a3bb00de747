// Protects the deployed Spark job from today's producer: an old reader against new data, end to end. The
// job (helpers/spark/ratings_to_metrics.py) runs at the release spark-recommender is pinned at
// (contracts/consumers.ts) on records the working producer wrote, every edge of the working contract
// included (ids 1 and their maxima, each half star from 0.5 to 5.0, timestamps 1 and the largest a long
// the contract allows), and must accept every one and read back exactly what was written.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pinOf } from '../../contracts/consumers.ts';
import {
  MOVIE_ID_MAX,
  RATING_MAX,
  RATING_MIN,
  RATING_STEP,
  type RatingEvent,
  TIMESTAMP_MAX,
  USER_ID_MAX,
} from '../../contracts/rating.ts';
import { METRICS_TOPIC, RATINGS_TOPIC } from '../../contracts/topics.ts';
import { GENERATED_DIR } from '../../helpers/artefacts/generate.ts';
import { RELEASES_DIR } from '../../helpers/compat/releases.ts';
import { createRatingsProducer } from '../../helpers/producer/ratings-producer.ts';
import { validRating } from '../support/arbitraries.ts';
import { isolatedTopic, readOnly, runKafka, writes } from '../support/broker.ts';
import { prerequisite } from '../support/prerequisite.ts';
import {
  findSpark,
  ratingFields,
  runSparkJob,
  SPARK_CONSUMER,
  type SparkJobRun,
  type SparkVerdict,
  sparkVerdictsIn,
} from '../support/spark-job.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PIN = pinOf(SPARK_CONSUMER);
/** Events drawn from the working contract's domain (fast-check leans to its bounds), besides the edges. */
const SAMPLED = 2_000;
const SEED = 20;

const spark = findSpark();
const missing = prerequisite({
  required: 'SPARK_REQUIRED',
  specs: 'the pinned Spark reader spec',
  missing: 'missing' in spark ? spark.missing : undefined,
});
const skipReason = missing ?? (readOnly() ? 'KAFKA_READ_ONLY=true' : undefined);

/** Every combination of the working contract's edges: 2 userIds x 2 movieIds x 10 half stars x 2 timestamps. */
function edgeRatings(): RatingEvent[] {
  const stars = Array.from(
    { length: (RATING_MAX - RATING_MIN) / RATING_STEP + 1 },
    (_, i) => RATING_MIN + i * RATING_STEP,
  );
  return [1, USER_ID_MAX].flatMap((userId) =>
    [1, MOVIE_ID_MAX].flatMap((movieId) =>
      stars.flatMap((rating) =>
        [1, TIMESTAMP_MAX].map((timestamp) => ({ userId, movieId, rating, timestamp })),
      ),
    ),
  );
}

const sorted = (rows: (SparkVerdict | RatingEvent)[]) =>
  rows.map((row) => JSON.stringify(ratingFields(row))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe.skipIf(skipReason !== undefined)(
  writes(
    `spark-recommender at its pinned release ${PIN.release}${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  ),
  () => {
    const cleanups: (() => Promise<void>)[] = [];
    const edges = edgeRatings();
    const events = [...edges, ...fc.sample(validRating(), { numRuns: SAMPLED, seed: SEED })];
    let verdictsDir: string | undefined;
    let kafka: Kafka;
    let ratingsTopic: string;
    let run: SparkJobRun;
    let verdicts: SparkVerdict[];

    // One Spark run serves every assertion: a session start alone costs seconds on 2 cores.
    beforeAll(async () => {
      if (!('installation' in spark)) return;
      verdictsDir = mkdtempSync(join(tmpdir(), 'spark-pinned-'));
      kafka = runKafka();
      const onCleanup = (cleanup: () => Promise<void>) => void cleanups.push(cleanup);
      ratingsTopic = (await isolatedTopic(RATINGS_TOPIC, kafka, onCleanup)).name;
      const metricsTopic = (await isolatedTopic(METRICS_TOPIC, kafka, onCleanup)).name;
      await using producer = await createRatingsProducer(kafka, { topic: ratingsTopic });
      expect(await producer.sendAll(events)).toMatchObject({
        sent: events.length,
        refusedCount: 0,
        error: undefined,
      });
      // No `contracts`: the runner resolves the pin, as `npm run spark:job` does.
      run = await runSparkJob(spark.installation, {
        brokers: inject('kafkaBrokers'),
        ratingsTopic,
        metricsTopic,
        verdictsDir,
        timeoutMs: 150_000,
      });
      console.info(
        `[spark] pinned release ${PIN.release}: ${run.summary?.records} records read, ${run.summary?.refused} refused; ` +
          `query ${run.summary?.queryMs} ms, process wall ${Math.round(run.wallMs)} ms`,
      );
      verdicts = sparkVerdictsIn(verdictsDir);
    }, 240_000);

    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
      if (verdictsDir !== undefined) rmSync(verdictsDir, { recursive: true, force: true });
    });

    it('reads its DDL and JSON Schema from the pinned release, not from contracts/generated', () => {
      expect(run.contracts).toBe(join(ROOT, RELEASES_DIR, PIN.release));
      expect(run.contracts).not.toBe(join(ROOT, GENERATED_DIR));
      expect(run.summary, run.stderrTail).toMatchObject({ ok: true, records: events.length });
      expect(run.code).toBe(0);
    });

    it(`accepts every record the working producer wrote, the ${edges.length} edge combinations included`, () => {
      expect(run.summary?.refused).toBe(0);
      expect(verdicts).toHaveLength(events.length);
      const refused = verdicts.filter((row) => row.refusal !== null);
      expect(refused.slice(0, 5), 'refused records').toEqual([]);
    });

    it('reads back field for field what was written, keyed by userId: the largest timestamp as its digits', () => {
      expect(sorted(verdicts)).toEqual(sorted(events));
      for (const row of verdicts) expect(row.key).toBe(String(row.userId));
      const largest = verdicts.filter((row) => row.timestamp === String(TIMESTAMP_MAX));
      const written = events.filter((event) => event.timestamp === TIMESTAMP_MAX).length;
      expect(written).toBeGreaterThanOrEqual(edges.length / 2);
      expect(largest).toHaveLength(written);
    });
  },
);
