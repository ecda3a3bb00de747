// `ratings-kafka produce`: seeded random ratings or a MovieLens ratings.csv, through the validating producer.
import { randomInt, randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { RatingEvent } from '../../contracts/rating.ts';
import { RATINGS_TOPIC } from '../../contracts/topics.ts';
import { underMinInsyncReplicas } from '../admin/in-sync-replicas.ts';
import { metricsLine } from '../flows/metrics-outcome.ts';
import { type ProduceFlowResult, runProduceFlow } from '../flows/produce-flow.ts';
import { RESTART_CONNECTION_RETRY, retryWithin } from '../producer/ratings-producer.ts';
import { NotMovieLensError, readMovieLensRatings } from '../sources/movielens-csv.ts';
import { randomRatings } from '../sources/random-ratings.ts';
import { throttle } from '../sources/throttle.ts';
import { COMMON_OPTIONS, durationFlag, integerFlag, positiveNumberFlag, topicFlag } from './args.ts';
import { requireBrokers } from './brokers.ts';
import { type CliIo, type Command, defineCommand, type ParsedLine, printJson, println } from './command.ts';
import { cliKafka, connectAdmin, requireTopics } from './connect.ts';
import {
  EXIT_CHECK_FAILED,
  EXIT_CODES_HELP,
  EXIT_INFRASTRUCTURE,
  EXIT_OK,
  UsageError,
} from './exit-codes.ts';
import { formatBytes, formatCount, formatDuration, formatPercent, formatRate } from './format.ts';
import { createProgress } from './progress.ts';

const OPTIONS = {
  ...COMMON_OPTIONS,
  count: { type: 'string' },
  rate: { type: 'string' },
  seed: { type: 'string' },
  'from-file': { type: 'string' },
  'send-timeout': { type: 'string' },
  topic: { type: 'string', default: RATINGS_TOPIC.name },
} as const;

const HELP = `Usage: ratings-kafka produce --count N [options]
       ratings-kafka produce --from-file ratings.csv [options]

Sends rating events through the project's producer: every event is validated against the
RatingEvent contract before it is sent (invalid ones are refused and counted, never sent),
keyed by userId, LZ4, idempotent, acks=all. Publishes the run's throughput and latency to
the metrics topic.

Options:
  --count N                        how many events (required without --from-file; with it, at most N)
  --seed S                         seed of the random ratings (0..4294967295); the same seed sends the
                                   same events (default: a random seed, printed in the summary)
  --from-file path                 stream a MovieLens ratings.csv (userId,movieId,rating,timestamp;
                                   timestamps in seconds, sent as milliseconds); malformed lines are
                                   refused with their line number
  --rate msgs/s                    send at most this many events per second (default: as fast as possible)
  --send-timeout duration          how long one send may wait for its in-sync replicas, and keep
                                   retrying retriable broker answers (leader moved, not enough in-sync
                                   replicas), before the run fails (default 30s each)
  --topic name                     target topic (default ${RATINGS_TOPIC.name})
  --brokers host:port[,host:port]  bootstrap servers (default: KAFKA_BROKERS)
  --json                           print one JSON summary object on stdout instead of text
  -h, --help                       show this help

A progress bar is drawn on stderr when it is a terminal.

${EXIT_CODES_HELP}
  (1 here: at least one event was refused; 3: a send failed, e.g. fewer in-sync replicas than
  min.insync.replicas)`;

/** A refused event: where it came from (file line, or position in the random stream) and why. */
interface RefusedEvent {
  line?: number;
  index?: number;
  reason: string;
}

/** Refusals listed verbatim; the count covers them all. */
const MAX_REFUSALS_SHOWN = 100;
const MAX_BATCH = 2_000;

/** What one produce run was asked for, every flag checked. */
interface ProducePlan {
  brokers: string[];
  topic: string;
  seed: number;
  count: number | undefined;
  rate: number | undefined;
  file: string | undefined;
  fileSize: number | undefined;
  sendTimeoutMs: number | undefined;
}

/** Checks every flag of the command line, reporting all their problems at once. */
async function planOf(
  { values, usage }: ParsedLine<typeof OPTIONS>,
  env: NodeJS.ProcessEnv,
): Promise<ProducePlan> {
  const count =
    values.count !== undefined ? usage.check(() => integerFlag('count', values.count!)) : undefined;
  const file = values['from-file'];
  if (file === undefined && values.count === undefined) {
    usage.problem('produce needs --count N (random ratings) or --from-file path (a MovieLens ratings.csv)');
  }
  if (file !== undefined && values.seed !== undefined) {
    usage.problem('--seed seeds random ratings; it cannot be combined with --from-file');
  }
  const seed = values.seed !== undefined ? usage.check(() => seedFlag(values.seed!)) : randomInt(2 ** 32);
  const rate =
    values.rate !== undefined ? usage.check(() => positiveNumberFlag('rate', values.rate!)) : undefined;
  const topic = usage.check(() => topicFlag('topic', values.topic));
  const sendTimeoutMs =
    values['send-timeout'] !== undefined
      ? usage.check(() => durationFlag('send-timeout', values['send-timeout']!))
      : undefined;
  const fileSize = file !== undefined ? await usage.checkAsync(() => sizeOf(file)) : undefined;
  const brokers = usage.check(() => requireBrokers(values.brokers, env));
  usage.done();
  return { brokers: brokers!, topic: topic!, seed: seed!, count, rate, file, fileSize, sendTimeoutMs };
}

/** The events of a run, with what the progress bar and the refusal list need to know about them. */
interface EventSource {
  events: Iterable<RatingEvent> | AsyncIterable<RatingEvent>;
  /** How far through the file the run is, when it reads one. */
  fraction: () => number | undefined;
  /** Records a refusal, naming the file line or the position in the random stream. */
  refuse: (index: number, reason: string) => void;
  refusals: RefusedEvent[];
  /** Lines of the file refused before they reached the producer (malformed CSV). */
  refusedBeforeSend: () => number;
}

/** Random ratings from the seed, or the MovieLens file's rows (malformed lines refused with their number). */
function eventSource(plan: ProducePlan): EventSource {
  const refusals: RefusedEvent[] = [];
  const keep = (refusal: RefusedEvent) => {
    if (refusals.length < MAX_REFUSALS_SHOWN) refusals.push(refusal);
  };
  let events: Iterable<RatingEvent> | AsyncIterable<RatingEvent>;
  let fraction: () => number | undefined = () => undefined;
  let currentLine = 0;
  let refusedBeforeSend = 0;
  const { file, count } = plan;
  if (file !== undefined) {
    const reader = readMovieLensRatings(file);
    fraction = () => (plan.fileSize ? reader.bytesRead() / plan.fileSize : undefined);
    events = (async function* () {
      let yielded = 0;
      for await (const row of reader.rows) {
        if (count !== undefined && yielded >= count) break;
        if ('problem' in row) {
          refusedBeforeSend++;
          keep({ line: row.line, reason: row.problem });
          continue;
        }
        // The producer validates each event as soon as it is pulled, so a refusal belongs to this line.
        currentLine = row.line;
        yielded++;
        yield row.event;
      }
    })();
  } else {
    events = randomRatings(plan.seed, count ?? 0);
  }
  if (plan.rate !== undefined) events = throttle(events, plan.rate);
  return {
    events,
    fraction,
    refusals,
    refusedBeforeSend: () => refusedBeforeSend,
    refuse: (index, reason) => keep(file !== undefined ? { line: currentLine, reason } : { index, reason }),
  };
}

/** The `produce` command. */
export const produceCommand: Command = defineCommand({
  name: 'produce',
  summary: 'send random (seeded) or MovieLens CSV ratings, validated, to a topic',
  help: HELP,
  options: OPTIONS,
  async run(line, io) {
    const plan = await planOf(line, io.env);
    const { brokers, topic, count, rate, file } = plan;
    await requireTopics(cliKafka(brokers, io.env), brokers, [topic]);
    // Reachable: from here on a broker restart is ridden out instead of failing the run.
    const producerKafka = cliKafka(brokers, io.env, { retry: { ...RESTART_CONNECTION_RETRY } });
    const source = eventSource(plan);
    const progress = createProgress(io.stderr, `producing to ${topic}`);
    let result: ProduceFlowResult;
    try {
      result = await runProduceFlow(producerKafka, source.events, {
        topic,
        runId: randomUUID(),
        // At a low rate a full batch would take minutes to fill; flush about ten times a second instead.
        ...(rate !== undefined ? { batchSize: Math.min(MAX_BATCH, Math.max(1, Math.round(rate / 10))) } : {}),
        onProgress: (sent) => progress.update(sent, count !== undefined ? sent / count : source.fraction()),
        onRefused: ({ index, message }) => source.refuse(index, message),
        // The budget bounds both the retries and how long the leader may hold a send for its replicas.
        ...(plan.sendTimeoutMs !== undefined
          ? { retry: retryWithin(plan.sendTimeoutMs), ackTimeoutMs: plan.sendTimeoutMs }
          : {}),
      });
    } catch (error) {
      // Still a UsageError (exit 2): the prefix names the flag the bad file came from.
      if (error instanceof NotMovieLensError)
        throw new UsageError(`--from-file: ${error.message}`, { cause: error });
      throw error;
    } finally {
      progress.finish();
    }
    const report = reportOf(
      result,
      source.refusedBeforeSend(),
      source.refusals,
      file !== undefined ? { kind: 'file', path: file } : { kind: 'random', seed: plan.seed },
    );
    if (line.values.json) printJson(io.stdout, report);
    else printReport(io, report);
    // A send the cluster did not acknowledge is the infrastructure's failure; a refused event is the input's.
    if (report.failed > 0 || report.error !== null) {
      // kafkajs may report the retry's symptom (an out-of-order sequence) rather than the refusal behind
      // it; the cluster's own view says whether too few replicas are in sync.
      const why = await inSyncDiagnosis(brokers, io.env, topic);
      println(
        io.stderr,
        `ratings-kafka produce: ${report.error ?? `${report.failed} event(s) not acknowledged`}${why ? `; ${why}` : ''}`,
      );
      return EXIT_INFRASTRUCTURE;
    }
    if (!report.ok) return EXIT_CHECK_FAILED;
    return report.metrics && 'error' in report.metrics ? EXIT_INFRASTRUCTURE : EXIT_OK;
  },
});

/** Which partitions have fewer in-sync replicas than min.insync.replicas, if the cluster still answers. */
async function inSyncDiagnosis(
  brokers: string[],
  env: NodeJS.ProcessEnv,
  topic: string,
): Promise<string | undefined> {
  try {
    const admin = await connectAdmin(cliKafka(brokers, env), brokers);
    try {
      return await underMinInsyncReplicas(admin, topic);
    } finally {
      await admin.disconnect();
    }
  } catch {
    return undefined;
  }
}

/** The random generator's seed: a whole number from 0 to 2^32 - 1. */
function seedFlag(value: string): number {
  const seed = integerFlag('seed', value, 0);
  if (seed >= 2 ** 32) throw new UsageError(`--seed must be at most 4294967295, got ${seed}`);
  return seed;
}

async function sizeOf(file: string): Promise<number> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new UsageError(`--from-file: ${file} is not a file`);
    return info.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `--from-file: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

/** The `--json` summary of a produce run. */
export type ProduceReport = ReturnType<typeof reportOf>;

function reportOf(
  result: ProduceFlowResult,
  refusedBeforeSend: number,
  refusals: RefusedEvent[],
  source: { kind: 'file'; path: string } | { kind: 'random'; seed: number },
) {
  const { summary } = result;
  const refused = refusedBeforeSend + summary.refusedCount;
  const attempted = summary.sent + refused + summary.failed;
  return {
    command: 'produce',
    ok: refused === 0 && summary.failed === 0 && summary.error === undefined,
    runId: result.runId,
    topic: result.topic,
    source,
    sent: summary.sent,
    refused,
    failed: summary.failed,
    bytes: summary.bytes,
    elapsedMs: Math.round(summary.elapsedMs),
    messagesPerSecond: Math.round(result.messagesPerSecond),
    megabytesPerSecond: Math.round(result.megabytesPerSecond * 1000) / 1000,
    successRate: attempted > 0 ? summary.sent / attempted : 1,
    batchLatencyMs: result.batchLatencyMs,
    refusals,
    error: summary.error ?? null,
    metrics: result.metrics ?? null,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

function printReport(io: CliIo, report: ProduceReport): void {
  const out = (text = '') => println(io.stdout, text);
  const from =
    report.source.kind === 'file'
      ? `file ${report.source.path}`
      : `random ratings, seed ${report.source.seed}`;
  out(`produce to ${report.topic} (${from}, run ${report.runId})`);
  out(`  sent      ${formatCount(report.sent)}`);
  out(`  refused   ${formatCount(report.refused)}`);
  out(`  failed    ${formatCount(report.failed)}`);
  out(`  elapsed   ${formatDuration(report.elapsedMs)}`);
  out(
    `  rate      ${formatRate(report.messagesPerSecond)} msg/s, ${report.megabytesPerSecond.toFixed(2)} MB/s (${formatBytes(report.bytes)} of values)`,
  );
  out(`  success   ${formatPercent(report.successRate)}`);
  const latency = report.batchLatencyMs;
  out(
    `  batches   ${latency.batches}, acknowledged in p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms`,
  );
  if (report.metrics) out(metricsLine(report.metrics, 10));
  if (report.error) out(`  error     ${report.error}`);
  if (report.refused > 0) {
    out(
      `refused (${formatCount(report.refused)}${report.refused > report.refusals.length ? `, first ${report.refusals.length} shown` : ''}):`,
    );
    for (const refusal of report.refusals) {
      out(
        `  ${refusal.line !== undefined ? `line ${refusal.line}` : `event #${refusal.index}`}: ${refusal.reason}`,
      );
    }
  }
  out(report.ok ? 'OK' : 'FAIL: not every event was sent');
}
