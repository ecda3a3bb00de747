// Runs the Spark job (helpers/spark/ratings_to_metrics.py) on the pyspark that `npm run spark:setup`
// installed, the way its README section says: the venv's python first on PATH.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SETUP = fileURLToPath(new URL('../../helpers/spark/setup.sh', import.meta.url));
const JOB = fileURLToPath(new URL('../../helpers/spark/ratings_to_metrics.py', import.meta.url));

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
  code: number | null;
  summary: SparkJobSummary | undefined;
  stderrTail: string;
  wallMs: number;
}

/** Runs the job to completion; kills its process group (python and the Spark JVM) if it outlives `timeoutMs`. */
export function runSparkJob(installation: SparkInstallation, options: SparkJobOptions): Promise<SparkJobRun> {
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
      resolve({ code, summary, stderrTail: stderr, wallMs: performance.now() - started });
    });
  });
}
