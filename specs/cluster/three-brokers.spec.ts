// Protects the production topic profile (replication 3, min.insync.replicas=2) on a real three-broker
// KRaft cluster of this file's own: the profile is what the brokers report for every partition; acks=all
// loses and duplicates nothing while a partition leader crashes and another node stops; a consumer group
// rides the leader changes; with two nodes down writes are refused (the caller and the CLI hear
// min.insync.replicas) and nothing acknowledged is missing once they are back.
import { randomUUID } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { RatingEvent } from '../../contracts/rating.ts';
import { RATINGS_TOPIC, TOPICS, topicsForProfile } from '../../contracts/topics.ts';
import { describeTopics } from '../../helpers/admin/topic-config.ts';
import type { ProduceReport } from '../../helpers/cli/produce-command.ts';
import { kafkaClient } from '../../helpers/clients/kafka-client.ts';
import { uniqueGroupId } from '../../helpers/consumer/ratings-consumer.ts';
import { findJava } from '../../helpers/kafka/native.ts';
import { type NativeCluster, startNativeCluster } from '../../helpers/kafka/native-cluster.ts';
import { createRatingsProducer } from '../../helpers/producer/ratings-producer.ts';
import { pollUntil } from '../../helpers/wait/poll-until.ts';
import { isRetriableKafkaError } from '../../helpers/wait/retriable.ts';
import { connectedAdmin, isolatedTopic } from '../support/broker.ts';
import { FAST_REREGISTRATION } from '../support/brokers/restartable.ts';
import { jsonOf, runCli } from '../support/cli.ts';
import {
  deliveryReport,
  describeGroupLag,
  groupLag,
  recordsInTopic,
  redeliveriesByFault,
} from '../support/delivery.ts';
import { BACKOFF, BATCH, groupConsumer, ratingAt, ratings, seconds, seqRange } from '../support/faults.ts';
import { prerequisite } from '../support/prerequisite.ts';
import { readTopicToEnd } from '../support/read-topic.ts';

const provider = inject('kafkaProvider');
// CLUSTER_REQUIRED=true (CI's run of this project) turns either reason into a failure, never a skip.
const cannotStart = prerequisite({
  required: 'CLUSTER_REQUIRED',
  specs: 'cluster specs',
  missing:
    provider !== 'native'
      ? `a native cluster is started only in the native pass (this run's provider is ${provider})`
      : findJava() === undefined
        ? 'no Java >= 17 for the native cluster'
        : undefined,
});

const PRODUCTION_RATINGS = topicsForProfile('production').find((topic) => topic.name === RATINGS_TOPIC.name)!;
const PRODUCE_EVENTS = 10_000;
/** Longer than a leader failover here (session 1.5 s, then an election): a crash is ridden out, not failed. */
const RIDE_OUT_RETRY = { ...BACKOFF, retries: 10, initialRetryTime: 200, maxRetryTime: 2_000 };
/**
 * Redeliveries a fault may cost the group: one producer send (BATCH records) per partition, about what a
 * fetch holds while the group keeps up. A member that rides a broker's stop or crash keeps its processed
 * offsets through its rejoin (offset-committer.ts), so what it reads again is at most the batch it was in
 * the middle of; before that, a rejoin dropped everything since the last commit that reached Kafka.
 */
const MAX_REDELIVERED_PER_FAULT = BATCH * PRODUCTION_RATINGS.partitions;
/** About 1 s: with two nodes down a send must fail, fast, rather than retry for the default 30 s. */
const SHORT_RETRY = { ...BACKOFF, retries: 3, initialRetryTime: 100, maxRetryTime: 500 };

let cluster: NativeCluster | undefined;
beforeAll(async () => {
  if (cannotStart !== undefined) return;
  cluster = await startNativeCluster({ settings: FAST_REREGISTRATION });
  console.log(
    `[cluster] ${cluster.description} at ${cluster.brokers.join(',')}, ready in ${seconds(cluster.startupMs)}`,
  );
});
afterAll(async () => {
  await cluster?.stop();
});
beforeEach((context) => {
  if (cannotStart !== undefined) context.skip(cannotStart);
});
const own = (): NativeCluster => {
  if (cluster === undefined) throw new Error('the cluster of this file did not start');
  return cluster;
};
const clusterKafka = (label: string) =>
  kafkaClient(own().brokers, { clientId: `cluster-${label}-${randomUUID().slice(0, 8)}` });
const cliEnv = () => ({ ...process.env, KAFKA_BROKERS: own().brokers.join(',') });

/** Per partition of `topic`: leader, replicas and in-sync replicas, as the cluster reports them. */
async function layout(admin: Admin, topic: string) {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  return (topics[0]?.partitions ?? []).map(({ partitionId, leader, replicas, isr }) => ({
    partitionId,
    leader,
    replicas,
    isr,
  }));
}

/** Resolves once every partition of `topics` has all its replicas in sync again. */
async function waitFullyInSync(admin: Admin, topics: readonly string[]): Promise<void> {
  await pollUntil(
    async () => (await Promise.all(topics.map((topic) => layout(admin, topic)))).flat(),
    (partitions) => partitions.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length),
    {
      what: `every replica of ${topics.join(', ')} in sync`,
      timeoutMs: 30_000,
      retryOn: isRetriableKafkaError,
    },
  );
}

/** How long until partition `partition` of `topic` has a leader other than `from`. */
async function failoverMs(admin: Admin, topic: string, partition: number, from: number): Promise<number> {
  const started = performance.now();
  await pollUntil(
    async () => (await layout(admin, topic)).find((p) => p.partitionId === partition)?.leader ?? -1,
    (leader) => leader >= 0 && leader !== from,
    {
      what: `a new leader for ${topic}[${partition}] after node ${from} went down`,
      timeoutMs: 20_000,
      intervalMs: 25,
      maxIntervalMs: 100,
      retryOn: isRetriableKafkaError,
    },
  );
  return performance.now() - started;
}

describe('production profile on a three-broker cluster', () => {
  it('is what topics create --profile production makes: 3 replicas in sync and min.insync.replicas=2 on every partition; the development profile is drift', async () => {
    const created = await runCli(['topics', 'create', '--profile', 'production', '--json'], {
      env: cliEnv(),
    });
    expect(created.code, created.stderr).toBe(0);
    const admin = await connectedAdmin(clusterKafka('topics'));
    const names = TOPICS.map((topic) => topic.name);
    await waitFullyInSync(admin, names);
    for (const name of names) {
      for (const partition of await layout(admin, name)) {
        expect(partition.replicas, `${name}[${partition.partitionId}] replicas`).toHaveLength(3);
        expect(partition.isr, `${name}[${partition.partitionId}] in-sync replicas`).toHaveLength(3);
      }
    }
    const observed = await describeTopics(admin, names, ['min.insync.replicas']);
    for (const name of names) expect(observed.get(name)?.config['min.insync.replicas'], name).toBe('2');

    const production = await runCli(['topics', 'verify', '--profile', 'production', '--json'], {
      env: cliEnv(),
    });
    expect(production.code, production.stdout).toBe(0);
    const development = await runCli(['topics', 'verify', '--json'], { env: cliEnv() });
    expect(development.code, development.stdout).toBe(1);
    const drift = jsonOf<{ topics: { topic: string; status: string; drift: unknown[] }[] }>(
      development,
    ).topics;
    expect(drift.map((report) => report.status)).toEqual(names.map(() => 'drift'));
    expect(drift[0]?.drift).toContainEqual({ setting: 'replication.factor', expected: '1', actual: '3' });
  });

  it(`delivers ${PRODUCE_EVENTS} acks=all events once each while a partition leader is SIGKILLed and back, then another node stops cleanly; a consumer group keeps up`, async () => {
    const nodes = own();
    const kafka = clusterKafka('delivery');
    const topic = await isolatedTopic(PRODUCTION_RATINGS, kafka);
    const admin = await connectedAdmin(kafka);
    const runId = randomUUID();
    const groupId = uniqueGroupId('cluster');
    const stopGroup = new AbortController();
    const {
      seen: grouped,
      joined,
      consuming,
      stopped,
      commitFailures,
    } = groupConsumer(kafka, {
      topic: topic.name,
      groupId,
      maxMessages: Number.MAX_SAFE_INTEGER,
      idleTimeoutMs: 90_000,
      signal: AbortSignal.any([stopGroup.signal, AbortSignal.timeout(100_000)]),
    });
    await joined;

    const victim = (await layout(admin, topic.name)).find((p) => p.partitionId === 0)!.leader;
    const bystander = [1, 2, 3].find((id) => id !== victim)!;
    let acked = 0;
    const figures: string[] = [];
    let restarted: Promise<void> = Promise.resolve();
    /** Each fault as it began, with how many records the group had seen by then. */
    const played: { name: string; seenBefore: number }[] = [];
    const faults = [
      {
        at: 3_000,
        play: async () => {
          played.push({ name: `SIGKILL of node ${victim}`, seenBefore: grouped.length });
          await nodes.node(victim).kill();
          const ms = await failoverMs(admin, topic.name, 0, victim);
          figures.push(
            `SIGKILL of node ${victim} (leader of ${topic.name}[0]): new leader in ${seconds(ms)}`,
          );
          const back = performance.now();
          restarted = nodes
            .node(victim)
            .start()
            .then(() => {
              figures.push(`node ${victim} back in ${seconds(performance.now() - back)}`);
            });
        },
      },
      {
        at: 6_500,
        play: async () => {
          await restarted;
          await waitFullyInSync(admin, [topic.name]);
          played.push({ name: `clean stop of node ${bystander}`, seenBefore: grouped.length });
          const stopping = performance.now();
          await nodes.node(bystander).stop();
          figures.push(`clean stop of node ${bystander} in ${seconds(performance.now() - stopping)}`);
        },
      },
    ];
    async function* gated(): AsyncGenerator<RatingEvent> {
      for (let seq = 0; seq < PRODUCE_EVENTS; seq++) {
        while (faults.length > 0 && acked >= faults[0]!.at) await faults.shift()!.play();
        yield ratingAt(seq);
      }
    }
    const producer = await createRatingsProducer(
      kafkaClient(nodes.brokers, { clientId: `cluster-produce-${runId.slice(0, 8)}`, retry: RIDE_OUT_RETRY }),
      {
        topic: topic.name,
        batchSize: BATCH,
        runId,
        retry: RIDE_OUT_RETRY,
        onProgress: ({ sent }) => (acked = sent),
      },
    );
    const started = performance.now();
    const summary = await producer.sendAll(gated()).finally(() => producer.disconnect());
    const produceMs = performance.now() - started;

    const inTopic = await recordsInTopic(admin, topic.name);
    const records = await readTopicToEnd(kafka, admin, topic.name, inTopic);
    const report = deliveryReport(
      seqRange(0, summary.sent),
      records
        .filter((record) => record.headers['run-id'] === runId)
        .map((record) => Number(record.headers.seq)),
      seqRange(0, PRODUCE_EVENTS),
    );
    try {
      await expect
        .poll(() => groupLag(admin, groupId, topic.name), { timeout: 30_000, interval: 100 })
        .toBe(0);
    } catch (error) {
      // What a lag that does not drain is made of: the group's state, where it committed, where the
      // partitions end, and whether its consumer is still running.
      console.log(
        `[cluster] lag did not drain: ${await describeGroupLag(admin, groupId, topic.name).catch((e: unknown) => `group unreadable (${String(e)})`)}; ` +
          `consumer ${stopped() ?? 'running'}, seen ${grouped.length} records; ` +
          `last failed commits: ${commitFailures.join('; ') || 'none'}; faults: ${figures.join('; ')}`,
      );
      throw error;
    }
    const group = deliveryReport(seqRange(0, summary.sent), grouped, seqRange(0, PRODUCE_EVENTS));
    const redelivered = redeliveriesByFault(grouped, played);
    for (const fault of redelivered)
      console.log(`[cluster] redelivered after ${fault.name}: ${fault.redelivered} of ${summary.sent}`);
    console.log(
      `[cluster] acks=all through leader changes: acknowledged ${summary.sent}, in topic ${inTopic}, consumed ${report.consumed} ` +
        `(distinct ${report.distinct}), lost ${report.lost.length}, duplicated ${report.duplicates}; produce time ${seconds(produceMs)}\n` +
        `[cluster]   ${figures.join('; ')}\n` +
        `[cluster]   consumer group ${groupId}: consumed ${group.consumed} (distinct ${group.distinct}), lost ${group.lost.length}, ` +
        `redelivered ${group.duplicates}, lag 0`,
    );
    stopGroup.abort();
    await consuming;
    await nodes.node(bystander).start();

    expect(faults, 'faults not played').toEqual([]);
    expect(summary).toMatchObject({ sent: PRODUCE_EVENTS, failed: 0, error: undefined });
    expect(report.unexpected).toEqual([]);
    expect(report.lost, 'acknowledged but never consumed').toEqual([]);
    expect(report.duplicatedSeqs, 'written more than once').toEqual([]);
    expect(records).toHaveLength(PRODUCE_EVENTS);
    expect(group.lost, 'acknowledged but never seen by the group').toEqual([]);
    expect(redelivered.map((fault) => fault.name)).toHaveLength(2);
    for (const fault of redelivered)
      expect(fault.redelivered, `redelivered after ${fault.name}`).toBeLessThanOrEqual(
        MAX_REDELIVERED_PER_FAULT,
      );
  }, 120_000);

  it('refuses writes with two nodes down (NOT_ENOUGH_REPLICAS reaches the caller; the CLI exits 3 naming min.insync.replicas) and keeps everything acknowledged', async () => {
    const nodes = own();
    // A test before this one that failed mid-fault may have left a node down: its failure is its own.
    await Promise.all(nodes.nodes.map((node) => node.start()));
    await nodes.waitForBrokers(3);
    const kafka = clusterKafka('two-down');
    const topic = await isolatedTopic(PRODUCTION_RATINGS, kafka);
    const admin = await connectedAdmin(kafka);
    await waitFullyInSync(admin, [topic.name, ...TOPICS.map((t) => t.name)]);
    const runId = randomUUID();
    // Connected while the cluster is whole: a new producer could not even get a producer id without a
    // controller majority, and the point here is what happens to sends.
    await using producer = await createRatingsProducer(
      kafkaClient(nodes.brokers, { clientId: `cluster-two-down-${runId.slice(0, 8)}`, retry: SHORT_RETRY }),
      { topic: topic.name, batchSize: BATCH, runId, retry: SHORT_RETRY },
    );
    const before = 500;
    expect(await producer.sendAll(ratings(0, before))).toMatchObject({ sent: before, error: undefined });
    // One after the other, cleanly: while the second shuts down, two voters remain to record that it
    // left the in-sync replicas, so the survivor leads every partition with an ISR of one.
    const [down1, down2] = [1, 2] as const;
    await nodes.node(down1).stop();
    // The CLI starts with one node down (a new producer needs a controller majority for its producer id)
    // and is mid-run when the second goes.
    const cliStarted = performance.now();
    const cli = runCli(
      [
        'produce',
        '--count',
        '100000',
        '--seed',
        '13',
        '--rate',
        '2000',
        '--send-timeout',
        '3s',
        '--topic',
        topic.name,
        '--json',
      ],
      { env: cliEnv(), timeoutMs: 60_000 },
    );
    await expect
      .poll(() => recordsInTopic(admin, topic.name), { timeout: 20_000, interval: 50 })
      .toBeGreaterThan(before + 300);

    await nodes.node(down2).stop();
    const sendStarted = performance.now();
    const refused = await producer.sendAll(ratings(before, before + BATCH), { firstSeq: before });
    const refusedMs = performance.now() - sendStarted;
    const cliRun = await cli;
    const cliMs = performance.now() - cliStarted;
    const cliAfterStopMs = performance.now() - sendStarted;
    const cliReport = jsonOf<ProduceReport>(cliRun);
    const cliError = cliRun.stderr.trim().split('\n').at(-1) ?? '';
    const restarting = performance.now();
    await Promise.all([nodes.node(down1).start(), nodes.node(down2).start()]);
    await nodes.waitForBrokers(3);
    // A leader's high watermark, all a reader sees, catches up only once its followers fetch again.
    await waitFullyInSync(admin, [topic.name]);
    const backMs = performance.now() - restarting;

    const acked = seqRange(0, before);
    const inTopic = await recordsInTopic(admin, topic.name);
    // Printed before the read, so a read that times out can be told apart: acknowledged records missing
    // from the end offsets, or end offsets a reader cannot reach.
    console.log(
      `[cluster]   before the read: CLI acknowledged ${cliReport.sent} (exit ${cliRun.code}), ours ${before}; ` +
        `end offsets ${(await admin.fetchTopicOffsets(topic.name)).map((p) => `p${p.partition}=${p.high}`).join(' ')} (${inTopic} records)`,
    );
    // Waits for at least every acknowledged record (a missing one fails here, by timeout, naming the
    // count), and reads every partition to its end.
    const records = await readTopicToEnd(
      kafka,
      admin,
      topic.name,
      Math.max(inTopic, before + cliReport.sent),
    );
    const report = deliveryReport(
      acked,
      records
        .filter((record) => record.headers['run-id'] === runId)
        .map((record) => Number(record.headers.seq)),
      seqRange(0, before + BATCH),
    );
    const cliRecords = records.filter((record) => record.headers['run-id'] === undefined).length;
    console.log(
      `[cluster] two nodes down (${down1}, ${down2}): send failed after ${seconds(refusedMs)}: ${refused.error}\n` +
        `[cluster]   CLI exit ${cliRun.code} after ${seconds(cliMs)} (${seconds(cliAfterStopMs)} after the second stop): ${cliError}\n` +
        `[cluster]   both nodes back and every replica in sync in ${seconds(backMs)}\n` +
        `[cluster]   CLI acknowledged ${cliReport.sent}, failed ${cliReport.failed}; its records in topic ${cliRecords}; ` +
        `ours acknowledged ${acked.size}, consumed ${report.consumed}, lost ${report.lost.length}, duplicated ${report.duplicates}`,
    );

    expect(refused).toMatchObject({ sent: 0, failed: BATCH });
    expect(refused.error).toMatch(/NOT_ENOUGH_REPLICAS|timed out/i);
    expect(refusedMs).toBeLessThan(15_000);
    expect(cliRun.code, cliRun.stderr).toBe(3);
    // --send-timeout 3s bounds both the retries and how long the leader holds a send for its replicas: a
    // send appended as the second node stopped used to be answered only after kafkajs' 30 s.
    expect(cliAfterStopMs, 'the CLI gave up within its send timeout').toBeLessThan(20_000);
    expect(cliError).toContain('min.insync.replicas');
    expect(cliReport.failed).toBeGreaterThan(0);
    expect(report.lost, 'acknowledged before the outage, missing after it').toEqual([]);
    expect(report.duplicates).toBe(0);
    expect(
      cliRecords,
      'every event the CLI was told was acknowledged is in the topic',
    ).toBeGreaterThanOrEqual(cliReport.sent);
  }, 120_000);
});
