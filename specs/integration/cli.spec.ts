// Protects the `ratings-kafka` CLI as people and CI run it: real subprocesses against the suite's broker,
// exit codes that mean something, `--json` summaries that match what the broker then holds, and one
// metric event per run on `metrics`. The MovieLens fixtures are synthetic data in the MovieLens format.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MetricEvent } from '../../contracts/metric.ts';
import { METRICS_TOPIC, RATINGS_DLQ_TOPIC, RATINGS_TOPIC, topicsForProfile } from '../../contracts/topics.ts';
import { ensureTopics } from '../../helpers/admin/ensure-topics.ts';
import { committedOffsets, endOffsets } from '../../helpers/admin/topic-offsets.ts';
import type { ConsumeReport } from '../../helpers/cli/consume-command.ts';
import type { ProduceReport } from '../../helpers/cli/produce-command.ts';
import { readRunMetrics } from '../../helpers/consumer/metrics-reader.ts';
import { uniqueGroupId } from '../../helpers/consumer/ratings-consumer.ts';
import { freePorts } from '../../helpers/kafka/native.ts';
import { randomRatings } from '../../helpers/sources/random-ratings.ts';
import {
  connectedAdmin,
  isolatedTopic,
  readOnly,
  runKafka,
  sendRaw,
  suiteTopicProfile,
  writes,
} from '../support/broker.ts';
import { cliEnv, jsonOf, runCli } from '../support/cli.ts';
import { readTopic, readTopicToEnd } from '../support/read-topic.ts';
import { writtenAs } from '../support/written-as.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/movielens/${name}`, import.meta.url));
const SAMPLE = fixture('ratings-sample.csv');
const WITH_ERRORS = fixture('ratings-with-errors.csv');

/** The events a MovieLens CSV holds, read independently of the CLI: seconds become milliseconds. */
function csvEvents(path: string): string[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [userId, movieId, rating, seconds] = line.split(',').map(Number) as [
        number,
        number,
        number,
        number,
      ];
      return writtenAs({ userId, movieId, rating, timestamp: seconds * 1000 });
    });
}

/**
 * The run's metric events on `metrics`, waiting for the one named `name`. The reader keeps only what the
 * strict MetricEvent decoder accepts, so every event returned is valid against the contract.
 */
/** A record's JSON value, or null for a tombstone or text that is not JSON (other specs write such to `metrics`). */
function parsedOrNull(value: string | null): Partial<MetricEvent> | null {
  try {
    return JSON.parse(value ?? 'null') as Partial<MetricEvent> | null;
  } catch {
    return null;
  }
}

async function runMetrics(runId: string, name: string): Promise<MetricEvent[]> {
  const read = await readRunMetrics(runKafka(), runId, {
    until: (events) => events.some((event) => event.name === name),
    timeoutMs: 20_000,
  });
  return read.events;
}

describe('ratings-kafka usage', () => {
  it('prints the top-level help with every command and the exit codes, exit 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const text of ['topics', 'produce', 'consume', 'verify', 'Exit codes:', '3  broker unreachable'])
      expect(run.stdout).toContain(text);
  });

  it('prints `consume --help` with its flags and exit codes, exit 0', async () => {
    const run = await runCli(['consume', '--help']);
    expect(run.code).toBe(0);
    for (const flag of [
      '--max-messages',
      '--timeout',
      '--group',
      '--from-beginning',
      '--topic',
      '--json',
      'Exit codes:',
    ])
      expect(run.stdout).toContain(flag);
  });

  it('refuses an unknown flag with exit 2, naming the flag', async () => {
    const run = await runCli(['consume', '--max-mesages', '5']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown flag --max-mesages');
    expect(run.stdout).toBe('');
  });

  it('refuses a bad value with exit 2, naming the flag and what it expects', async () => {
    const count = await runCli(['produce', '--count', 'ten']);
    expect(count.code).toBe(2);
    expect(count.stderr).toContain('--count must be a whole number');
    const timeout = await runCli(['consume', '--timeout', '5 parsecs']);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toMatch(/--timeout: .*expected e\.g\. 500ms, 30s, 2m/);
  });

  it('says the same thing about an unreachable broker from verify as from produce, exit 3', async () => {
    const [closed] = await freePorts(1);
    const address = `127.0.0.1:${closed}`;
    const { KAFKA_BROKERS: _unset, ...env } = cliEnv();
    const verify = await runCli(['verify', '--brokers', address], { env });
    const produce = await runCli(['produce', '--count', '1', '--brokers', address], { env });
    const advice = 'Is the broker running, and are KAFKA_BROKERS / --brokers right?';
    expect(verify.code).toBe(3);
    expect(produce.code).toBe(3);
    expect(verify.stdout).toContain(`cannot reach Kafka at ${address}: `);
    expect(verify.stdout).toContain(advice);
    expect(verify.stdout + verify.stderr).not.toContain('KafkaJSNumberOfRetriesExceeded');
    expect(produce.stderr).toContain(`cannot reach Kafka at ${address}: `);
    expect(produce.stderr).toContain(advice);
  });

  it('asks for KAFKA_BROKERS or --brokers (exit 2) instead of starting a broker outside verify', async () => {
    const { KAFKA_BROKERS: _unset, ...env } = cliEnv();
    const run = await runCli(['produce', '--count', '1'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('set KAFKA_BROKERS');
    expect(run.stderr).toContain('--brokers');
  });

  it('exits 3 when the broker cannot be reached, naming the address', async () => {
    const run = await runCli(['topics', 'verify', '--brokers', '127.0.0.1:1']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('cannot reach Kafka at 127.0.0.1:1');
  });
});

describe('ratings-kafka topics', () => {
  it.skipIf(readOnly())(
    writes('creates the contract topics idempotently: the second run reports "exists, matches", exit 0'),
    async () => {
      const first = await runCli(['topics', 'create', '--json']);
      expect(first.code, first.stderr).toBe(0);
      const second = await runCli(['topics', 'create', '--json']);
      expect(second.code, second.stderr).toBe(0);
      const report = jsonOf<{ ok: boolean; topics: { topic: string; status: string }[] }>(second);
      expect(report.ok).toBe(true);
      expect(report.topics.map(({ topic, status }) => [topic, status])).toEqual(
        topicsForProfile('development').map((spec) => [spec.name, 'exists, matches']),
      );
    },
  );

  it('verifies the topics read-only and describes their partitions and settings, exit 0', async () => {
    if (!readOnly()) await ensureTopics(await connectedAdmin(), topicsForProfile('development'));
    const verify = await runCli(['topics', 'verify', '--profile', suiteTopicProfile()]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain('ratings: exists, matches');

    const describe = await runCli(['topics', 'describe', '--profile', suiteTopicProfile(), '--json']);
    expect(describe.code, describe.stderr).toBe(0);
    const ratings = jsonOf<{
      topics: { topic: string; partitions: unknown[]; config: Record<string, string> }[];
    }>(describe).topics.find((topic) => topic.topic === RATINGS_TOPIC.name);
    expect(ratings?.partitions).toHaveLength(RATINGS_TOPIC.partitions);
    expect(ratings?.config).toMatchObject({ 'compression.type': 'lz4', 'cleanup.policy': 'delete' });
  });
});

describe.skipIf(readOnly())(writes('ratings-kafka produce'), () => {
  beforeAll(async () => {
    // Metric events go to the real `metrics` topic: it must exist whatever order the specs run in.
    const admin = runKafka().admin();
    await admin.connect();
    await ensureTopics(admin, topicsForProfile('development'));
    await admin.disconnect();
  });

  it('sends --count 500 --seed 1: the summary, the end offsets and a metric event all say 500', async () => {
    const admin = await connectedAdmin();
    const topic = await isolatedTopic(RATINGS_TOPIC);
    const before = await endOffsets(admin, topic.name);
    const run = await runCli(['produce', '--count', '500', '--seed', '1', '--topic', topic.name, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = jsonOf<ProduceReport>(run);
    expect(report).toMatchObject({
      ok: true,
      sent: 500,
      refused: 0,
      failed: 0,
      successRate: 1,
      topic: topic.name,
    });
    expect(report.messagesPerSecond).toBeGreaterThan(0);
    expect(report.maxRssBytes).toBeGreaterThan(0);
    const after = await endOffsets(admin, topic.name);
    expect([...after].reduce((sum, [p, end]) => sum + Number(end - (before.get(p) ?? 0n)), 0)).toBe(500);
    const metrics = await runMetrics(report.runId, 'producer.throughput');
    expect(metrics.find((event) => event.name === 'producer.throughput')).toMatchObject({
      source: 'producer',
      unit: 'messages/s',
      tags: { runId: report.runId, topic: topic.name },
    });
    expect(metrics.find((event) => event.name === 'producer.sent')?.value).toBe(500);
    // The reader above keeps only events its decoder accepts, a window with endMs < startMs among the
    // refused: judged there, a bad window would vanish, not fail. The raw records of the run are judged
    // here, before any decoder, and must all be there.
    const raw = (await readTopicToEnd(runKafka(), admin, METRICS_TOPIC.name, metrics.length))
      .map((record) => parsedOrNull(record.value))
      .filter((value) => value?.tags?.runId === report.runId);
    expect(raw.map((value) => value?.name).sort()).toEqual(metrics.map((event) => event.name).sort());
    for (const value of raw) {
      expect(value?.window?.endMs, value?.name).toBeGreaterThanOrEqual(value?.window?.startMs ?? Infinity);
    }
  });

  it("sends the same events for the same seed, and exactly the seeded generator's events", async () => {
    const kafka = runKafka();
    const [first, second] = [
      await isolatedTopic(RATINGS_TOPIC, kafka),
      await isolatedTopic(RATINGS_TOPIC, kafka),
    ];
    for (const topic of [first, second]) {
      const run = await runCli(['produce', '--count', '200', '--seed', '7', '--topic', topic.name, '--json']);
      expect(run.code, run.stderr).toBe(0);
    }
    const layout = (
      records: { partition: number; offset: string; key: string | null; value: string | null }[],
    ) =>
      records
        .map(({ partition, offset, key, value }) => ({ partition, offset: Number(offset), key, value }))
        .sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    const one = layout(await readTopic(kafka, first.name, 200));
    const two = layout(await readTopic(kafka, second.name, 200));
    expect(two).toEqual(one);
    expect(one.map((record) => record.value).sort()).toEqual(
      [...randomRatings(7, 200)].map(writtenAs).sort(),
    );
  });

  it('streams a MovieLens file: one event per data line, timestamps in milliseconds', async () => {
    const kafka = runKafka();
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    const expected = csvEvents(SAMPLE);
    const run = await runCli(['produce', '--from-file', SAMPLE, '--topic', topic.name, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const lines = readFileSync(SAMPLE, 'utf8').trim().split('\n').length;
    expect(jsonOf<ProduceReport>(run)).toMatchObject({ sent: lines - 1, refused: 0 });
    const records = await readTopic(kafka, topic.name, lines - 1);
    expect(records.map((record) => record.value).sort()).toEqual([...expected].sort());
    // MovieLens seconds (~1.1e9) became milliseconds (~1.1e12).
    for (const record of records) expect(JSON.parse(record.value!).timestamp).toBeGreaterThan(1e11);
  });

  it('refuses malformed lines with their line numbers, sends the rest, exit 1', async () => {
    const admin = await connectedAdmin();
    const topic = await isolatedTopic(RATINGS_TOPIC);
    const run = await runCli(['produce', '--from-file', WITH_ERRORS, '--topic', topic.name, '--json']);
    expect(run.code).toBe(1);
    const report = jsonOf<ProduceReport>(run);
    expect(report).toMatchObject({ ok: false, sent: 6, refused: 5, failed: 0 });
    expect(report.refusals.map((refusal) => refusal.line)).toEqual([3, 5, 7, 9, 11]);
    expect(report.refusals[0]?.reason).toContain('rating: expected a number from 0.5 to 5');
    expect(report.refusals[1]?.reason).toContain('expected 4 fields');
    const end = await endOffsets(admin, topic.name);
    expect([...end.values()].reduce((sum, offset) => sum + offset, 0n)).toBe(6n);
  });
});

describe.skipIf(readOnly())(writes('ratings-kafka consume'), () => {
  it('reads --max-messages as a fresh group, commits up to the end offsets and reports a metric, exit 0', async () => {
    const admin = await connectedAdmin();
    const topic = await isolatedTopic(RATINGS_TOPIC);
    const produced = await runCli(['produce', '--count', '300', '--seed', '3', '--topic', topic.name]);
    expect(produced.code, produced.stderr).toBe(0);
    const group = uniqueGroupId('cli-spec');
    const run = await runCli([
      'consume',
      '--max-messages',
      '300',
      '--from-beginning',
      '--group',
      group,
      '--topic',
      topic.name,
      '--timeout',
      '20s',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = jsonOf<ConsumeReport>(run);
    expect(report).toMatchObject({
      ok: true,
      total: 300,
      valid: 300,
      invalid: 0,
      stoppedBecause: 'max-messages',
      groupId: group,
    });
    expect(Object.values(report.ratingDistribution).reduce((a, b) => a + b, 0)).toBe(300);
    expect(report.firstRecords.length).toBeGreaterThan(0);
    expect(await committedOffsets(admin, group, topic.name)).toEqual(await endOffsets(admin, topic.name));
    const metrics = await runMetrics(report.runId, 'consumer.throughput');
    expect(metrics.find((event) => event.name === 'consumer.throughput')).toMatchObject({
      source: 'consumer',
      unit: 'messages/s',
      tags: { runId: report.runId, topic: topic.name, groupId: group },
    });
    expect(metrics.find((event) => event.name === 'consumer.consumed')?.value).toBe(300);
  });

  it('counts an invalid record with its reason and exits 1', async () => {
    const kafka = runKafka();
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    await sendRaw(kafka, topic.name, [
      { key: '1', value: 'not json' },
      { key: '1', value: JSON.stringify({ userId: 1, movieId: 2, rating: 3.5, timestamp: 1112486027000 }) },
    ]);
    const run = await runCli([
      'consume',
      '--max-messages',
      '2',
      '--from-beginning',
      '--group',
      `cli-spec-${randomUUID()}`,
      '--topic',
      topic.name,
      '--json',
    ]);
    expect(run.code).toBe(1);
    expect(jsonOf<ConsumeReport>(run)).toMatchObject({
      total: 2,
      valid: 1,
      invalid: 1,
      invalidByReason: { 'not-json': 1 },
      deadLetterTopic: null,
    });
  });

  it('routes an invalid record to --dlq with its original bytes, exit 1', async () => {
    const kafka = runKafka();
    const topic = await isolatedTopic(RATINGS_TOPIC, kafka);
    const dlq = await isolatedTopic(RATINGS_DLQ_TOPIC, kafka);
    await sendRaw(kafka, topic.name, [{ key: '9', value: '{"userId": 9' }]);
    const run = await runCli([
      'consume',
      '--max-messages',
      '1',
      '--from-beginning',
      '--group',
      `cli-spec-${randomUUID()}`,
      '--topic',
      topic.name,
      '--dlq',
      dlq.name,
      '--json',
    ]);
    expect(run.code).toBe(1);
    expect(jsonOf<ConsumeReport>(run)).toMatchObject({
      invalid: 1,
      deadLetterTopic: dlq.name,
      deadLettered: 1,
    });
    const [letter] = await readTopic(kafka, dlq.name, 1);
    expect(letter).toMatchObject({ key: '9', value: '{"userId": 9' });
    expect(letter?.headers['dlq.error.kind']).toBe('not-json');
  });
});

describe.skipIf(readOnly())(writes('ratings-kafka verify'), () => {
  it('passes every step against the suite broker, on the real topics with whatever data they hold, exit 0', async () => {
    const run = await runCli(['verify']);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/^PASS {2}verify against /m);
    expect(run.stdout.match(/^PASS {2}/gm)).toHaveLength(8);
    // The records the topic already holds (other specs' valid ratings, or none yet) read under the contract.
    expect(run.stdout).toMatch(
      /^PASS {2}retained ratings valid under the working contract[^\n]*\n {6}ratings: (holds no records yet|[\d,]+ records read, 0 refused)/m,
    );
    expect(run.stdout).not.toMatch(/^(FAIL|SKIP)/m);
  });
});
