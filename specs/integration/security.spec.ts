// Protects clients of a secured cluster, on a broker of this file's own (SASL_SSL with SCRAM-SHA-512,
// TLS with a certificate made at start, StandardAuthorizer with no access by default): the app user
// produces and consumes `ratings` through the project's client factory configured by KAFKA_* variables;
// a wrong password, a plaintext client and a principal without ACLs are refused with errors that say
// why; and the app user's password never shows up in what the CLI prints, publishes or writes.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { METRICS_TOPIC, RATINGS_TOPIC, topicsForProfile } from '../../contracts/topics.ts';
import { allMatch, ensureTopics } from '../../helpers/admin/ensure-topics.ts';
import type { ConsumeReport } from '../../helpers/cli/consume-command.ts';
import type { ProduceReport } from '../../helpers/cli/produce-command.ts';
import { kafkaClient, securityOf } from '../../helpers/clients/kafka-client.ts';
import { securityHint } from '../../helpers/clients/security-hint.ts';
import { consumeRatings, uniqueGroupId } from '../../helpers/consumer/ratings-consumer.ts';
import { createRatingsProducer } from '../../helpers/producer/ratings-producer.ts';
import { randomRatings } from '../../helpers/sources/random-ratings.ts';
import { connectedAdmin } from '../support/broker.ts';
import { notSecurable, type SecureBroker, startSecureBroker } from '../support/brokers/secure-broker.ts';
import { type CliRun, jsonOf, runCli } from '../support/cli.ts';
import { recordsInTopic } from '../support/delivery.ts';
import { readTopic } from '../support/read-topic.ts';
import { filesUnder, secretSightings } from '../support/secret-scan.ts';

const provider = inject('kafkaProvider');
const cannotSecure = notSecurable(provider);
if (cannotSecure !== undefined) console.info(`[skip] security specs: ${cannotSecure}`);

/** The app user's password for this run: if it shows up anywhere, it is unmistakably ours. */
const CANARY = `canary-${randomUUID()}`;
/** The wrong password of the failing runs: it must not be echoed either. */
const WRONG = `canary-wrong-${randomUUID()}`;
/** How long a refused connection may take to be reported (kafkajs retries a closed connection ~3.5 s). */
const REFUSED_WITHIN_MS = 10_000;

const REPORTS_DIR = fileURLToPath(new URL('../../reports/', import.meta.url));
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Runs `attempt` and returns its error and how long it took to fail; fails the test if it succeeds. */
async function refusal(attempt: () => Promise<unknown>): Promise<{ error: Error; ms: number }> {
  const started = performance.now();
  try {
    await attempt();
  } catch (error) {
    return { error: error as Error, ms: performance.now() - started };
  }
  throw new Error('expected the broker to refuse, but the call succeeded');
}

/** Connects an admin and asks for metadata; always disconnects. */
async function connectAndDescribe(kafka: ReturnType<typeof kafkaClient>): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

describe('secured cluster (SASL_SSL, SCRAM-SHA-512, ACLs)', () => {
  let broker: SecureBroker | undefined;
  let workDir: string;

  beforeAll(async () => {
    if (cannotSecure !== undefined) return;
    broker = await startSecureBroker(provider, { image: inject('kafkaDescription'), appPassword: CANARY });
    workDir = await mkdtemp(join(tmpdir(), 'security-spec-'));
    // The admin (a super user) creates the contract topics, as a cluster operator would.
    const admin = broker.clientFor(broker.users.admin).admin();
    await admin.connect();
    try {
      expect(allMatch(await ensureTopics(admin, topicsForProfile('development')))).toBe(true);
    } finally {
      await admin.disconnect();
    }
    console.log(
      `[security] own broker: ${broker.description}, SASL_SSL at ${broker.brokers.join(',')}, ready in ${seconds(broker.startupMs)}`,
    );
  });

  afterAll(async () => {
    await broker?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  beforeEach((context) => {
    if (cannotSecure !== undefined) context.skip(cannotSecure);
  });

  /** The app user's client, built from KAFKA_* variables the way the CLI builds its own. */
  const appKafka = (own: SecureBroker, env: Record<string, string> = own.envFor(own.users.app)) =>
    kafkaClient(own.brokers, { clientId: `security-${randomUUID().slice(0, 8)}` }, env);

  /** The CLI's environment for the secured broker, logged in with `env`'s credentials. */
  const cliEnvFor = (own: SecureBroker, env: Record<string, string>): NodeJS.ProcessEnv => ({
    ...process.env,
    KAFKA_BROKERS: own.brokers.join(','),
    // Anything the CLI writes to a temporary file lands where the leak check looks.
    TMPDIR: workDir,
    ...env,
  });

  it('lets the app user produce and consume ratings over SASL_SSL', async () => {
    const own = broker!;
    const kafka = appKafka(own);
    const runId = randomUUID();
    const count = 50;
    await using producer = await createRatingsProducer(kafka, { topic: RATINGS_TOPIC.name, runId });
    expect(await producer.sendAll(randomRatings(7, count))).toMatchObject({
      sent: count,
      failed: 0,
      error: undefined,
    });

    const seqs = new Set<number>();
    const stop = new AbortController();
    const summary = await consumeRatings(kafka, {
      topic: RATINGS_TOPIC.name,
      // Inside the `ratings-` prefix the app user may read as.
      groupId: uniqueGroupId('ratings-security'),
      fromBeginning: true,
      idleTimeoutMs: 10_000,
      signal: stop.signal,
      onEvent: (_event, record) => {
        if (record.headers['run-id'] !== runId) return;
        seqs.add(Number(record.headers.seq));
        if (seqs.size === count) stop.abort();
      },
    });
    expect(summary).toMatchObject({ invalid: 0, error: undefined });
    expect(seqs.size).toBe(count);
  });

  it('refuses a wrong password with an error that says authentication failed', async () => {
    const own = broker!;
    const kafka = appKafka(own, { ...own.envFor(own.users.app), KAFKA_SASL_PASSWORD: WRONG });
    const [{ error, ms }, cli] = await Promise.all([
      refusal(() => connectAndDescribe(kafka)),
      runCli(['topics', 'verify'], {
        env: cliEnvFor(own, { ...own.envFor(own.users.app), KAFKA_SASL_PASSWORD: WRONG }),
        cwd: workDir,
      }),
    ]);
    console.log(
      `[security] wrong password refused after ${seconds(ms)}: ${error.name}: ${error.message}\n` +
        `[security]   CLI (exit ${cli.code}): ${cli.stderr.trim()}`,
    );
    expect(error.name).toBe('KafkaJSSASLAuthenticationError');
    expect(error.message).toMatch(/authentication failed/i);
    expect(ms).toBeLessThan(REFUSED_WITHIN_MS);
    expect(cli.code).toBe(3);
    expect(cli.stderr).toMatch(/authentication failed/i);
    expect(cli.stderr).toContain('did not accept SASL user "ratings-app" (scram-sha-512)');
    expect(cli.stderr).toContain('check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
    expect(secretSightings({ stdout: cli.stdout, stderr: cli.stderr }, [WRONG, CANARY])).toEqual([]);
  });

  it('refuses a plaintext client on the SASL_SSL port within bounded time, saying to set KAFKA_SECURITY_PROTOCOL', async () => {
    const own = broker!;
    const plaintext = appKafka(own, {});
    const [{ error, ms }, cli] = await Promise.all([
      refusal(() => connectAndDescribe(plaintext)),
      runCli(['topics', 'verify'], { env: cliEnvFor(own, {}), cwd: workDir }),
    ]);
    const hint = securityHint(error, securityOf(plaintext));
    console.log(
      `[security] plaintext client refused after ${seconds(ms)}: ${error.name}: ${error.message}; hint: ${hint}\n` +
        `[security]   CLI (exit ${cli.code}): ${cli.stderr.trim()}`,
    );
    expect(ms).toBeLessThan(REFUSED_WITHIN_MS);
    expect(hint).toMatch(
      /closed the connection on a PLAINTEXT client: if this listener uses TLS, set KAFKA_SECURITY_PROTOCOL=SSL, or SASL_SSL/,
    );
    expect(cli.code).toBe(3);
    expect(cli.stderr).toContain(`cannot reach Kafka at ${own.brokers.join(',')}`);
    expect(cli.stderr).toContain('set KAFKA_SECURITY_PROTOCOL=SSL, or SASL_SSL');
  });

  it('refuses a principal without ACLs on ratings with TOPIC_AUTHORIZATION_FAILED, naming the topic', async () => {
    const own = broker!;
    const stranger = appKafka(own, own.envFor(own.users.stranger));
    const admin = await connectedAdmin(stranger);
    const [{ error }, cli] = await Promise.all([
      refusal(() => admin.fetchTopicMetadata({ topics: [RATINGS_TOPIC.name] })),
      runCli(['produce', '--count', '1'], {
        env: cliEnvFor(own, own.envFor(own.users.stranger)),
        cwd: workDir,
      }),
    ]);
    const hint = securityHint(error, securityOf(stranger), { topic: RATINGS_TOPIC.name });
    console.log(
      `[security] no-ACL user refused: ${error.name}: ${error.message} (${(error as { type?: string }).type}); hint: ${hint}\n` +
        `[security]   CLI (exit ${cli.code}): ${cli.stderr.trim()}`,
    );
    expect((error as { type?: string }).type).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(hint).toBe(
      'principal User:no-acl-user is not authorized on topic "ratings" (TOPIC_AUTHORIZATION_FAILED): ' +
        "ask the cluster's admin for ACLs allowing DESCRIBE, plus WRITE to produce or READ to consume",
    );
    expect(cli.code).toBe(3);
    expect(cli.stderr).toContain('refused access to topic "ratings"');
    expect(cli.stderr).toContain('TOPIC_AUTHORIZATION_FAILED');
  });

  it('never prints, publishes or writes the password: produce, consume and verify through the CLI', async () => {
    const own = broker!;
    const started = Date.now();
    const env = cliEnvFor(own, own.envFor(own.users.app));
    const runs: Record<string, CliRun> = {};
    const group = uniqueGroupId('ratings-security-cli');
    runs.produce = await runCli(['produce', '--count', '20', '--json'], { env, cwd: workDir });
    runs.consume = await runCli(
      ['consume', '--group', group, '--from-beginning', '--max-messages', '20', '--timeout', '10s', '--json'],
      { env, cwd: workDir },
    );
    // Text output with the client's debug logs: what a person sees when digging into a problem.
    runs.verify = await runCli(['verify'], { env: { ...env, KAFKA_LOG_LEVEL: 'debug' }, cwd: workDir });
    runs.failing = await runCli(['produce', '--count', '1'], {
      env: { ...env, KAFKA_SASL_PASSWORD: WRONG, KAFKA_LOG_LEVEL: 'debug' },
      cwd: workDir,
    });

    const produced = jsonOf<ProduceReport>(runs.produce);
    const consumed = jsonOf<ConsumeReport>(runs.consume);
    expect(runs.produce.code, runs.produce.stderr).toBe(0);
    expect(produced).toMatchObject({ sent: 20, failed: 0, ok: true });
    expect(runs.consume.code, runs.consume.stderr).toBe(0);
    expect(consumed).toMatchObject({ total: 20, invalid: 0, ok: true });
    expect(
      runs.verify.code,
      runs.verify.stdout
        .split('\n')
        .filter((line) => /^(PASS|FAIL)/.test(line))
        .join('\n'),
    ).toBe(0);
    expect(runs.verify.stdout).toMatch(/^PASS {2}verify against /m);
    expect(runs.failing.code).toBe(3);
    expect(runs.failing.stderr).toMatch(/authentication failed/i);

    // Everything the runs published to `metrics`, read back raw (keys, values, headers) as the admin.
    const adminKafka = own.clientFor(own.users.admin);
    const metricsRecords = await readTopic(
      adminKafka,
      METRICS_TOPIC.name,
      await recordsInTopic(await connectedAdmin(adminKafka), METRICS_TOPIC.name),
    );
    const published = JSON.stringify(metricsRecords);
    expect(published).toContain(produced.runId);
    expect(published).toContain(consumed.runId);

    const written = { ...(await filesUnder(workDir)), ...(await filesUnder(REPORTS_DIR, started)) };
    const texts: Record<string, string> = {
      'metrics topic': published,
      'broker log': await own.logs(),
      ...written,
    };
    for (const [name, run] of Object.entries(runs)) {
      texts[`${name} stdout`] = run.stdout;
      texts[`${name} stderr`] = run.stderr;
    }
    const scanned = Object.entries(texts).map(([where, text]) => `${where} (${text.length} chars)`);
    console.log(
      `[security] canary scan (${provider}): produce ${produced.sent} sent, consume ${consumed.total} read, ` +
        `verify exit ${runs.verify.code}, failing run exit ${runs.failing.code}; ${metricsRecords.length} metric ` +
        `records; files written: ${Object.keys(written).length}; scanned ${scanned.join(', ')}`,
    );
    // The scan itself is proven to see the canary, so an empty result means absence, not blindness.
    expect(secretSightings({ control: `x${CANARY}y` }, [CANARY])).toHaveLength(1);
    expect(secretSightings(texts, [CANARY, WRONG])).toEqual([]);
  });
});
