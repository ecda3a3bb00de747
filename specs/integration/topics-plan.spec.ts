// Protects `topics plan` and `topics apply` on a real broker: a retention change planned and applied, a
// partition increase of a keyed topic refused without --allow key-remap and applied with it (read back
// with kcat), a decrease refused, a setting the contract does not declare left alone, and a second apply
// with nothing to do. Each spec works on a topic of its own, never on the contract's topics.
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import { RATINGS_TOPIC, type TopicSpec } from '../../contracts/topics.ts';
import { applyPlan } from '../../helpers/admin/topic-apply.ts';
import { keyRemap, readLiveTopics } from '../../helpers/admin/topic-plan.ts';
import { planFor, runApply } from '../../helpers/cli/topics-plan.ts';
import { CheckFailedError, ConfigError, UsageError } from '../../helpers/errors.ts';
import { javaDefaultPartition } from '../../helpers/partitioner/murmur2.ts';
import { connectedAdmin, readOnly, writes } from '../support/broker.ts';
import { kcat, kcatMissing } from '../support/kcat.ts';

const { ConfigResourceTypes } = kafkajs;
const DAY_MS = 24 * 3_600_000;
const APPLY = { replicaTimeoutMs: 30_000, onReplicaProgress: () => {} };

const silentIo = (env: NodeJS.ProcessEnv = {}) => {
  let stdout = '';
  return {
    io: { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true }, env },
    out: () => stdout,
  };
};

describe.skipIf(readOnly())(writes('topics plan and apply'), () => {
  it('plans and applies a retention change and a guarded partition increase, leaving unmanaged settings alone', async () => {
    const admin = await connectedAdmin();
    const spec: TopicSpec = { ...RATINGS_TOPIC, name: `plan-${randomUUID()}` };
    const created = await planFor(admin, [spec]);
    expect(created.actions.map((a) => a.kind)).toEqual(['create']);
    await applyPlan(admin, created, APPLY);
    // A setting the contract does not declare, set on the topic by someone else.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: spec.name,
          configEntries: [...Object.entries(spec.config), ['segment.ms', '3600000']].map(([name, value]) => ({
            name,
            value,
          })),
        },
      ],
    });

    const wanted: TopicSpec = {
      ...spec,
      partitions: 6,
      config: { ...spec.config, 'retention.ms': String(14 * DAY_MS) },
    };
    const plan = await planFor(admin, [wanted]);
    expect(
      plan.actions.map((a) =>
        a.kind === 'create' ? a.kind : `${a.kind} ${a.change.rule} ${a.change.safety}`,
      ),
    ).toEqual(['add-partitions PARTITIONS_INCREASED breaking', 'set-config RETENTION_INCREASED compatible']);
    expect(plan.unmanaged).toEqual([{ topic: spec.name, setting: 'segment.ms', value: '3600000' }]);
    const increase = plan.actions[0];
    // The moved keys, counted independently over every userId.
    let moved = 0;
    for (let userId = 1; userId <= 138_493; userId++)
      if (javaDefaultPartition(String(userId), 3) !== javaDefaultPartition(String(userId), 6)) moved++;
    expect(increase?.kind === 'add-partitions' && increase.remap).toEqual({ keys: 138_493, moved });
    expect(keyRemap(3, 3).moved).toBe(0);

    const refused = silentIo();
    await expect(
      runApply(admin, [wanted], refused.io, { allowed: new Set(), json: false, replicaTimeoutMs: 30_000 }),
    ).rejects.toThrow(UsageError);
    expect(refused.out()).toContain('needs --allow key-remap');
    expect((await readLiveTopics(admin, [spec.name])).get(spec.name)?.partitions).toBe(3);

    const applied = silentIo();
    const code = await runApply(admin, [wanted], applied.io, {
      allowed: new Set(['key-remap']),
      json: false,
      replicaTimeoutMs: 30_000,
    });
    expect(code).toBe(0);
    const live = (await readLiveTopics(admin, [spec.name])).get(spec.name);
    expect(live?.overrides).toMatchObject({ 'retention.ms': String(14 * DAY_MS), 'segment.ms': '3600000' });
    if (!kcatMissing) {
      const metadata = JSON.parse(
        await kcat(['-L', '-J', '-b', inject('kafkaBrokers').join(','), '-t', spec.name]),
      ) as {
        topics: { topic: string; partitions: unknown[] }[];
      };
      expect(metadata.topics.find((t) => t.topic === spec.name)?.partitions).toHaveLength(6);
    }
    expect((await planFor(admin, [wanted])).actions).toEqual([]);

    const fewer = await planFor(admin, [{ ...wanted, partitions: 2 }]);
    expect(fewer.actions).toEqual([
      expect.objectContaining({ kind: 'refuse', change: expect.objectContaining({ safety: 'impossible' }) }),
    ]);
    await expect(
      runApply(admin, [{ ...wanted, partitions: 2 }], silentIo().io, {
        allowed: new Set(),
        json: false,
        replicaTimeoutMs: 30_000,
      }),
    ).rejects.toThrow(CheckFailedError);
    await admin.deleteTopics({ topics: [spec.name] });
  });

  it('refuses to apply under KAFKA_READ_ONLY=true, with a configuration error (exit 2)', async () => {
    const admin = await connectedAdmin();
    const run = runApply(admin, [RATINGS_TOPIC], silentIo({ KAFKA_READ_ONLY: 'true' }).io, {
      allowed: new Set(),
      json: false,
      replicaTimeoutMs: 30_000,
    });
    await expect(run).rejects.toBeInstanceOf(ConfigError);
  });
});
