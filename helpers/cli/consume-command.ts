// `ratings-kafka consume`: read and validate ratings, summarise what arrived.
import { randomUUID } from 'node:crypto';
import { RATING_MAX, RATING_MIN, RATING_STEP } from '../../contracts/rating.ts';
import { RATINGS_DLQ_TOPIC, RATINGS_TOPIC } from '../../contracts/topics.ts';
import { DEFAULT_GROUP_ID } from '../consumer/ratings-consumer.ts';
import { type ConsumeFlowResult, runConsumeFlow } from '../flows/consume-flow.ts';
import { metricsLine } from '../flows/metrics-outcome.ts';
import { COMMON_OPTIONS, durationFlag, integerFlag, topicFlag } from './args.ts';
import { requireBrokers } from './brokers.ts';
import { type CliIo, type Command, defineCommand, printJson, println } from './command.ts';
import { cliKafka, requireTopics } from './connect.ts';
import { EXIT_CHECK_FAILED, EXIT_CODES_HELP, EXIT_INFRASTRUCTURE, EXIT_OK } from './exit-codes.ts';
import { bar, formatCount, formatDuration, formatRate } from './format.ts';

const OPTIONS = {
  ...COMMON_OPTIONS,
  'max-messages': { type: 'string' },
  timeout: { type: 'string', default: '30s' },
  group: { type: 'string', default: DEFAULT_GROUP_ID },
  'from-beginning': { type: 'boolean' },
  topic: { type: 'string', default: RATINGS_TOPIC.name },
  dlq: { type: 'string' },
  'no-dlq': { type: 'boolean' },
} as const;

const HELP = `Usage: ratings-kafka consume [options]

Reads ratings as consumer group --group, validates every record against the RatingEvent contract,
commits after every batch, and stops after --max-messages records or when none arrived for --timeout.
Prints the first records, then totals, valid/invalid with reasons, per-partition counts and the
rating distribution. Publishes the run's throughput to the metrics topic.

Options:
  --max-messages N                 stop after N records (default: no limit)
  --timeout duration               stop when no record arrived for this long: 500ms, 30s, 2m (default 30s)
  --group id                       consumer group (default ${DEFAULT_GROUP_ID})
  --from-beginning                 a group with no committed offset starts at the earliest record
                                   (default: at the end, i.e. only new records)
  --topic name                     topic to read (default ${RATINGS_TOPIC.name})
  --dlq name                       dead-letter topic for invalid records: original key, bytes and headers,
                                   the reason in dlq.* headers (default ${RATINGS_DLQ_TOPIC.name} when reading
                                   ${RATINGS_TOPIC.name}, none otherwise); a failed dead-letter write commits
                                   nothing past the record and exits 3
  --no-dlq                         only count invalid records
  --brokers host:port[,host:port]  bootstrap servers (default: KAFKA_BROKERS)
  --json                           print one JSON summary object on stdout instead of text
  -h, --help                       show this help

${EXIT_CODES_HELP}
  (1 here: at least one invalid record was seen)`;

const FIRST_RECORDS_SHOWN = 5;

/** The `consume` command. */
export const consumeCommand: Command = defineCommand({
  name: 'consume',
  summary: 'read and validate ratings as a consumer group, with a summary',
  help: HELP,
  options: OPTIONS,
  async run({ values, usage }, io) {
    const maxMessages =
      values['max-messages'] !== undefined
        ? usage.check(() => integerFlag('max-messages', values['max-messages']!))
        : undefined;
    const checkedTimeout = usage.check(() => durationFlag('timeout', values.timeout));
    const checkedTopic = usage.check(() => topicFlag('topic', values.topic));
    if (values.group.trim() === '') usage.problem('--group must not be empty');
    if (values['no-dlq'] && values.dlq !== undefined) usage.problem('--dlq and --no-dlq exclude each other');
    const deadLetterTopic = values['no-dlq']
      ? undefined
      : values.dlq !== undefined
        ? usage.check(() => topicFlag('dlq', values.dlq!))
        : checkedTopic === RATINGS_TOPIC.name
          ? RATINGS_DLQ_TOPIC.name
          : undefined;
    const checkedBrokers = usage.check(() => requireBrokers(values.brokers, io.env));
    usage.done();
    const [idleTimeoutMs, topic, brokers] = [checkedTimeout!, checkedTopic!, checkedBrokers!];

    const kafka = cliKafka(brokers, io.env);
    await requireTopics(kafka, brokers, deadLetterTopic ? [topic, deadLetterTopic] : [topic]);
    const result = await runConsumeFlow(kafka, {
      runId: randomUUID(),
      topic,
      groupId: values.group,
      idleTimeoutMs,
      fromBeginning: values['from-beginning'] === true,
      sampleSize: FIRST_RECORDS_SHOWN,
      deadLetterTopic,
      ...(maxMessages !== undefined ? { maxMessages } : {}),
    });
    const report = reportOf(result);
    if (values.json) printJson(io.stdout, report);
    else printReport(io, report);
    if (report.error !== null) return EXIT_INFRASTRUCTURE;
    if (!report.ok) return EXIT_CHECK_FAILED;
    return report.metrics && 'error' in report.metrics ? EXIT_INFRASTRUCTURE : EXIT_OK;
  },
});

/** The `--json` summary of a consume run. */
export type ConsumeReport = ReturnType<typeof reportOf>;

function reportOf(result: ConsumeFlowResult) {
  const { summary } = result;
  return {
    command: 'consume',
    ok: summary.invalid === 0 && summary.error === undefined,
    runId: result.runId,
    topic: result.topic,
    groupId: result.groupId,
    total: summary.total,
    valid: summary.valid,
    invalid: summary.invalid,
    invalidByReason: summary.invalidByReason,
    deadLetterTopic: result.deadLetterTopic ?? null,
    deadLettered: summary.deadLettered,
    errors: summary.errors,
    perPartition: summary.perPartition,
    ratingDistribution: summary.ratingDistribution,
    firstRecords: summary.firstRecords,
    committed: summary.committed,
    stoppedBecause: summary.stoppedBecause,
    elapsedMs: Math.round(summary.elapsedMs),
    messagesPerSecond: Math.round(result.messagesPerSecond),
    error: summary.error ?? null,
    metrics: result.metrics ?? null,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/** Every star value of the contract, 0.5 to 5.0, so an empty bucket shows as empty rather than missing. */
function starValues(): string[] {
  const values: string[] = [];
  for (let stars = RATING_MIN; stars <= RATING_MAX; stars += RATING_STEP) values.push(stars.toFixed(1));
  return values;
}

function printReport(io: CliIo, report: ConsumeReport): void {
  const out = (text = '') => println(io.stdout, text);
  out(`consume from ${report.topic} as group ${report.groupId} (run ${report.runId})`);
  if (report.firstRecords.length > 0) {
    out(`first ${report.firstRecords.length} record(s):`);
    for (const record of report.firstRecords) {
      const when = new Date(Number(record.timestamp)).toISOString();
      out(
        `  p${record.partition} @${record.offset}  key ${record.key ?? '(null)'}  ${when}  ${record.value ?? '(null)'}`,
      );
    }
  }
  out(
    `  total       ${formatCount(report.total)} (valid ${formatCount(report.valid)}, invalid ${formatCount(report.invalid)})`,
  );
  out(`  stopped     ${report.stoppedBecause} after ${formatDuration(report.elapsedMs)}`);
  out(`  rate        ${formatRate(report.messagesPerSecond)} msg/s`);
  const partitions = Object.entries(report.perPartition);
  if (partitions.length > 0) {
    out(`  partitions  ${partitions.map(([p, n]) => `p${p} ${formatCount(n)}`).join('  ')}`);
    out(
      `  committed   ${Object.entries(report.committed)
        .map(([p, offset]) => `p${p}=${offset}`)
        .join('  ')}`,
    );
  }
  if (report.invalid > 0) {
    out(
      `  invalid     ${Object.entries(report.invalidByReason)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(', ')}`,
    );
    for (const error of report.errors) out(`    ${error}`);
    out(
      report.deadLetterTopic
        ? `  dead letters ${formatCount(report.deadLettered)} routed to ${report.deadLetterTopic}`
        : '  dead letters none routed (no dead-letter topic)',
    );
  }
  if (report.valid > 0) {
    out('rating distribution:');
    const max = Math.max(...Object.values(report.ratingDistribution));
    for (const stars of starValues()) {
      const n = report.ratingDistribution[stars] ?? 0;
      out(`  ${stars} ${bar(n, max).padEnd(40)} ${formatCount(n)}`);
    }
  }
  if (report.metrics) out(metricsLine(report.metrics, 12));
  if (report.error) out(`  error       ${report.error}`);
  out(report.ok ? 'OK' : 'FAIL: invalid records were seen');
}
