#!/usr/bin/env node
// `npm run bench`: our producer, consumer and validators against kcat, Kafka's Java tools and ajv.
// A benchmark, not a test: nothing here passes or fails on a figure. See `npm run bench -- --help`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { METRICS_TOPIC } from '../contracts/topics.ts';
import { ensureTopics } from '../helpers/admin/ensure-topics.ts';
import { kafkaClient } from '../helpers/clients/kafka-client.ts';
import { provisionBroker } from '../helpers/kafka/provision.ts';
import { benchTopics } from './bench-topic.ts';
import { writeDataset } from './dataset.ts';
import { describeEnvironment, loadAverage } from './environment.ts';
import { canMeasureRss } from './measure-process.ts';
import { parseBenchOptions, USAGE } from './options.ts';
import { cliBatchSize, measureEndToEnd } from './phases/end-to-end.ts';
import { profileOurs } from './phases/profile.ts';
import { measureSequentialSends } from './phases/sequential-sends.ts';
import { measureThroughput } from './phases/throughput.ts';
import { measureValidators } from './phases/validators.ts';
import { renderMarkdown, reportStamp, writeReport } from './report.ts';
import type { BenchReport, EndToEndLatency, ProfileSummary } from './results.ts';
import { javaTools } from './tools/java-tools.ts';

const REPORTS = fileURLToPath(new URL('../reports/bench/', import.meta.url));
/** A profile of this many events is long enough to rank the hot functions and short enough to wait for. */
const PROFILE_EVENTS = 200_000;
const log = (line: string): void => console.error(line);

const options = parseBenchOptions(process.argv.slice(2));
if (options === 'help') {
  console.log(USAGE);
  process.exit(0);
}

const tools = javaTools();
const scratch = await mkdtemp(join(tmpdir(), 'bench-data-'));
const broker = await provisionBroker({ log });
try {
  const kafka = kafkaClient(broker.brokers, { clientId: 'bench' });
  const admin = kafka.admin();
  await admin.connect();
  const topics = benchTopics(admin);
  try {
    // The CLI publishes each run's metrics there, and exits non-zero when it cannot.
    await ensureTopics(admin, [METRICS_TOPIC]);
    const environment = describeEnvironment(broker, tools);
    log(
      `[bench] ${options.events} events, seed ${options.seed}, ${environment.cores} cores, load ${environment.loadAverageAtStart.join(' ')}`,
    );
    const dataset = await writeDataset(scratch, options.seed, options.events);

    const { rows: throughput } = await measureThroughput({
      brokers: broker.brokers,
      topics,
      dataset,
      tools,
      rounds: options.rounds,
      log,
    });
    log('[bench] validators');
    const validators = measureValidators(options.seed, options.events);
    const endToEnd: EndToEndLatency[] = [];
    // The CLI's batching for --rate, then a send per event: the pipeline's own latency without batching.
    for (const batchSize of [cliBatchSize(options.latencyRate), 1]) {
      log(
        `[bench] end-to-end latency at ${options.latencyRate}/s for ${options.latencySeconds} s, ${batchSize} per send`,
      );
      endToEnd.push(
        await measureEndToEnd(kafka, topics, {
          rate: options.latencyRate,
          seconds: options.latencySeconds,
          seed: options.seed,
          batchSize,
        }),
      );
    }
    log(`[bench] ${options.sequentialSends} sequential sends`);
    const sequential = await measureSequentialSends(
      kafka,
      topics,
      broker.brokers,
      tools,
      dataset,
      options.sequentialSends,
    );
    const profileEvents = Math.min(options.events, PROFILE_EVENTS);
    const profiles: ProfileSummary[] = [];
    if (options.profile) {
      log(`[bench] profiling ours over ${profileEvents} events`);
      const folder = join(REPORTS, `profiles-${reportStamp(environment.date)}`);
      profiles.push(...(await profileOurs(topics, broker.brokers, options.seed, profileEvents, folder)));
    }

    const report: BenchReport = {
      command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(
        ' ',
      ),
      environment: { ...environment, loadAverageAtEnd: loadAverage() },
      options: { events: options.events, seed: options.seed, quick: options.quick, rounds: options.rounds },
      valueBytesPerEvent: dataset.valueBytes / dataset.events,
      throughput,
      validators,
      endToEnd,
      sequential,
      profiles,
      notes: [
        'One run on a shared machine: other work was running, so read the figures as ±15 % at best.',
        'MB/s counts value bytes only (MB = 2^20), the same average value size for every tool.',
        'ProducerPerformance cannot send keys: its records are unkeyed, so its sticky partitioner fills whole batches per partition, where keyed producers (ours, kcat) spread every batch over 3 partitions.',
        'Our producer sends 2,000 records per send() with one request in flight (idempotence with kafkajs); kcat and the Java client pipeline up to 5 requests per connection.',
        `Throughput rows are the fastest of ${options.rounds} run(s) per tool, the tools taking turns; "runs" lists every run.`,
        'kafkajs raw and @platformatic/kafka raw send the same seeded events as plain JSON.stringify (5, not 5.0) with no checks; "+ our codec" rows run our encoder/decoder per record on the same client, without our CLI.',
        '@platformatic/kafka forces one request in flight with idempotence as well; its consumer rows end at the last record handed out (its autocommit follows each fetch).',
        'ProducerPerformance runs with the Java defaults otherwise: linger.ms=5 since Kafka 4.0, so a throttled record waits up to 5 ms for company; that is most of its per-record latency in the one-at-a-time table.',
        canMeasureRss()
          ? 'Peak RSS comes from /usr/bin/time -v around each process.'
          : 'No /usr/bin/time: peak RSS of ours is process.resourceUsage().maxRSS from its --json summary; the anchors have none.',
      ],
    };
    console.log(renderMarkdown(report));
    const written = await writeReport(REPORTS, report);
    log(`[bench] wrote ${written.markdown} and ${written.json}`);
  } finally {
    await topics
      .deleteAll()
      .catch((error: unknown) => log(`[bench] could not delete the bench topics: ${String(error)}`));
    await admin.disconnect();
  }
} finally {
  await broker.stop();
  await rm(scratch, { recursive: true, force: true });
}
