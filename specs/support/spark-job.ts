// Runs the Spark job (helpers/spark/ratings_to_metrics.py) on the pyspark that `npm run spark:setup`
// installed, the way its README section says: the venv's python first on PATH, and its contract read from
// the release spark-recommender is pinned at (contracts/consumers.ts), checked against its manifest first.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinOf } from '../../contracts/consumers.ts';
import type { RatingEvent } from '../../contracts/rating.ts';
import { pinnedRelease } from '../../helpers/compat/pins.ts';

const SETUP = fileURLToPath(new URL('../../helpers/spark/setup.sh', import.meta.url));
const JOB = fileURLToPath(new URL('../../helpers/spark/ratings_to_metrics.py', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The consumer the job stands for: its pin says which release it reads. */
export const SPARK_CONSUMER = 'spark-recommender';

/** The folder of the release the job is pinned at, verified: what `--contracts` gets unless told otherwise. */
export const pinnedSparkContracts = (root: string = ROOT): string =>
  pinnedRelease(root, pinOf(SPARK_CONSUMER)).dir;

/**
 * JVM flags for a run of seconds: C1-only JIT and the serial collector roughly halve a 10,000-record run
 * on 2 cores (measured: query 21 s -> 12 s under load). Set through the environment, so the job itself
 * stays as a long-running deployment would run it.
 */
const SHORT_RUN_JVM = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

/** Where the setup put pyspark's venv and the connector jars. */
export interface SparkInstallation {
  venvBin: string;
  connectorJars: string;
}

/** The installed Spark, or the reason there is none (a sentence for a `[skip]` line). */
export function findSpark(
  env: NodeJS.ProcessEnv = process.env,
): { installation: SparkInstallation } | { missing: string } {
  const check = spawnSync('bash', [SETUP, '--check'], { env, encoding: 'utf8' });
  if (check.error) return { missing: `bash cannot run: ${check.error.message}` };
  if (check.status !== 0)
    return { missing: check.stderr.trim() || `${SETUP} --check exited ${check.status}` };
  const cache = check.stdout.trim();
  return { installation: { venvBin: `${cache}/venv/bin`, connectorJars: `${cache}/jars` } };
}

/** Options of {@link runSparkJob}. */
export interface SparkJobOptions {
  brokers: string[];
  /** Kafka's `subscribe`: one topic, or several separated by commas. */
  ratingsTopic: string;
  metricsTopic: string;
  /** When set, the job also writes each record's verdict as JSON lines into this folder. */
  verdictsDir: string | undefined;
  timeoutMs: number;
  /** The contract folder the job reads (`--contracts`); default: its pinned release, checked first. */
  contracts?: string;
}

/** The job's one-line JSON summary. */
export interface SparkJobSummary {
  ok: boolean;
  error?: string;
  spark: string;
  maxBytes: number;
  records: number;
  accepted: number;
  refused: number;
  metricEvents: number;
  batches: number;
  sessionStartMs: number;
  queryMs: number;
  totalMs: number;
  jvmPeakRssMb: number | null;
}

/** One job run: exit code, parsed summary (undefined if none was printed), stderr's tail, wall time. */
export interface SparkJobRun {
  /** The contract folder the job read. */
  contracts: string;
  code: number | null;
  summary: SparkJobSummary | undefined;
  stderrTail: string;
  wallMs: number;
}

/**
 * Runs the job to completion; kills its process group (python and the Spark JVM) if it outlives `timeoutMs`.
 * Throws before anything starts when the pinned release is missing or edited.
 */
export function runSparkJob(installation: SparkInstallation, options: SparkJobOptions): Promise<SparkJobRun> {
  const contracts = options.contracts ?? pinnedSparkContracts();
  const args = [
    JOB,
    '--brokers',
    options.brokers.join(','),
    '--ratings-topic',
    options.ratingsTopic,
    '--metrics-topic',
    options.metricsTopic,
    '--connector-jars',
    installation.connectorJars,
    '--contracts',
    contracts,
    ...(options.verdictsDir === undefined ? [] : ['--verdicts', options.verdictsDir]),
  ];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(`${installation.venvBin}/python`, args, {
      env: {
        ...process.env,
        PATH: `${installation.venvBin}:${process.env.PATH ?? ''}`,
        JDK_JAVA_OPTIONS: SHORT_RUN_JVM,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a timeout stops the JVM that pyspark started as well.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-8_000);
    });
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`spark job still running after ${options.timeoutMs} ms; killed. stderr: ${stderr}`));
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').at(-1) ?? '';
      let summary: SparkJobSummary | undefined;
      try {
        summary = JSON.parse(line) as SparkJobSummary;
      } catch {
        summary = undefined;
      }
      resolve({ contracts, code, summary, stderrTail: stderr, wallMs: performance.now() - started });
    });
  });
}

/** One record's verdict as the job writes it with `--verdicts`: coordinates, the parsed fields, the refusal. */
export interface SparkVerdict {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  userId: number | null;
  movieId: number | null;
  rating: number | null;
  /** A BIGINT, written as a string so that JSON.parse cannot round it. */
  timestamp: string | null;
  /** Why the job refused the record; null: accepted. */
  refusal: string | null;
}

/** Every verdict the job wrote into `dir`: Spark's JSON sink leaves `part-*.json` files of one row a line. */
export function sparkVerdictsIn(dir: string): SparkVerdict[] {
  const parts = readdirSync(dir).filter((name) => name.startsWith('part-') && name.endsWith('.json'));
  return parts.flatMap((name) =>
    readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as SparkVerdict),
  );
}

/** The rating fields of a verdict or of a written event, the timestamp as its digits: how the two compare. */
export function ratingFields(source: SparkVerdict | RatingEvent): Record<keyof RatingEvent, unknown> {
  const { userId, movieId, rating, timestamp } = source;
  return { userId, movieId, rating, timestamp: timestamp === null ? null : String(timestamp) };
}
