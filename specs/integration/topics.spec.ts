// Protects the topic contracts: what the product's creation code makes is what the broker reports,
// creation is idempotent, and a topic that differs is reported as drift, setting by setting.

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { METRICS_TOPIC, RATINGS_TOPIC, type TopicSpec, topicsForProfile } from '../../contracts/topics.ts';
import { describeContractTopics } from '../../helpers/admin/describe-topics.ts';
import { allMatch, ensureTopics } from '../../helpers/admin/ensure-topics.ts';
import { describeTopics } from '../../helpers/admin/topic-config.ts';
import { connectedAdmin, readOnly, suiteTopicProfile, writes } from '../support/broker.ts';

// KAFKA_TOPIC_PROFILE=production checks a cluster made with the production profile (replication 3).
const contractTopics = topicsForProfile(suiteTopicProfile());
const replicas = contractTopics[0]!.replicationFactor;

describe('ratings and metrics topics', () => {
  it.skipIf(readOnly())(
    writes('are created from the contract and the broker reports every declared setting'),
    async () => {
      const admin = await connectedAdmin();
      const reports = await ensureTopics(admin, contractTopics);
      expect(allMatch(reports), JSON.stringify(reports)).toBe(true);

      const observed = await describeTopics(
        admin,
        ['ratings', 'metrics'],
        ['retention.ms', 'compression.type', 'cleanup.policy'],
      );
      expect(observed.get('ratings')).toMatchObject({
        partitions: 3,
        replicationFactor: replicas,
        config: { 'retention.ms': '604800000', 'compression.type': 'lz4', 'cleanup.policy': 'delete' },
      });
      expect(observed.get('metrics')).toMatchObject({
        partitions: 1,
        replicationFactor: replicas,
        config: { 'retention.ms': '2592000000', 'compression.type': 'gzip', 'cleanup.policy': 'delete' },
      });
    },
  );

  it.skipIf(readOnly())(
    writes('are idempotent: a second run reports "exists, matches" for every topic'),
    async () => {
      const admin = await connectedAdmin();
      await ensureTopics(admin, contractTopics);
      const second = await ensureTopics(admin, contractTopics);
      expect(second.map((report) => [report.topic, report.status])).toEqual(
        contractTopics.map((topic) => [topic.name, 'exists, matches']),
      );
    },
  );

  it('are verified read-only, creating nothing (how KAFKA_READ_ONLY=true checks a deployed cluster)', async () => {
    const admin = await connectedAdmin();
    // On a cluster of our own the topics are made first; in read-only mode they must already be there.
    if (!readOnly()) await ensureTopics(admin, contractTopics);
    // A contract topic that does not exist: verify must report it, never create it.
    const absent = { ...RATINGS_TOPIC, name: `${RATINGS_TOPIC.name}-absent-${randomUUID()}` };
    // Other spec files create and delete topics of their own meanwhile: only what verify could create counts.
    const ours = new Set([...contractTopics.map((topic) => topic.name), absent.name]);
    const listOurs = async () => (await admin.listTopics()).filter((name) => ours.has(name)).sort();
    const before = await listOurs();
    const reports = await ensureTopics(admin, [...contractTopics, absent], { mode: 'verify' });
    expect(reports.filter((report) => report.status !== 'exists, matches')).toEqual([
      { topic: absent.name, status: 'missing', drift: [] },
    ]);
    expect(await listOurs()).toEqual(before);
    expect(before).not.toContain(absent.name);
  });
});

describe('topic drift', () => {
  /** A contract topic under a unique name, so drift can be staged without touching `ratings`. */
  const renamed = (spec: TopicSpec): TopicSpec => ({ ...spec, name: `${spec.name}-drift-${randomUUID()}` });

  it.skipIf(readOnly())(
    writes('reports a ratings topic with 1 partition and compression.type=producer, both differences'),
    async () => {
      const admin = await connectedAdmin();
      const spec = renamed(RATINGS_TOPIC);
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: spec.name,
            numPartitions: 1,
            configEntries: [
              { name: 'compression.type', value: 'producer' },
              { name: 'retention.ms', value: '604800000' },
            ],
          },
        ],
      });
      try {
        const [report] = await ensureTopics(admin, [spec]);
        expect(report?.status).toBe('drift');
        expect(report?.drift).toEqual([
          { setting: 'partitions', expected: '3', actual: '1' },
          { setting: 'compression.type', expected: 'lz4', actual: 'producer' },
        ]);
        expect(allMatch(report ? [report] : [])).toBe(false);
        // `topics describe` marks the same settings as `topics verify` reports.
        const [described] = await describeContractTopics(admin, [spec]);
        expect(described).toMatchObject({ status: 'present', drift: report?.drift });
      } finally {
        await admin.deleteTopics({ topics: [spec.name] });
      }
    },
  );

  it.skipIf(readOnly())(
    writes('compares normalised values: retention written as 0604800000 is not drift'),
    async () => {
      const admin = await connectedAdmin();
      const spec: TopicSpec = {
        ...renamed(METRICS_TOPIC),
        config: { ...METRICS_TOPIC.config, 'retention.ms': '02592000000' },
      };
      await ensureTopics(admin, [spec]);
      try {
        const [report] = await ensureTopics(admin, [spec]);
        expect(report).toEqual({ topic: spec.name, status: 'exists, matches', drift: [] });
      } finally {
        await admin.deleteTopics({ topics: [spec.name] });
      }
    },
  );

  it('verify mode never creates: a missing topic is reported as missing and stays missing', async () => {
    const admin = await connectedAdmin();
    const spec = renamed(RATINGS_TOPIC);
    const [report] = await ensureTopics(admin, [spec], { mode: 'verify' });
    expect(report).toEqual({ topic: spec.name, status: 'missing', drift: [] });
    expect(await admin.listTopics()).not.toContain(spec.name);
  });
});
