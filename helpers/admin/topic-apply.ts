// Carries out a reviewed topic plan, action by action, stopping at the first failure with what was and
// was not applied, so that running it again carries on. kafkajs has no IncrementalAlterConfigs: a
// topic's settings are written with AlterConfigs, which replaces every override the topic has, so the
// overrides the contract does not declare are read first and written back unchanged.
import type { Admin } from 'kafkajs';
import kafkajs from 'kafkajs';
import { waitForTopicsReady } from '../clients/resilient-admin.ts';
import { hasErrorType } from '../clients/security-hint.ts';
import { AuthorizationError, InfrastructureError } from '../errors.ts';
import { pollUntil } from '../wait/poll-until.ts';
import { ensureTopics } from './ensure-topics.ts';
import { type PlanAction, readLiveTopics, type TopicPlan } from './topic-plan.ts';

// Not a named import: Node's ESM loader cannot detect this CommonJS export of kafkajs (vitest can).
const { ConfigResourceTypes } = kafkajs;

/** Options of {@link applyPlan}. */
export interface ApplyOptions {
  /** How long a reassignment may take until every new replica is in sync. */
  replicaTimeoutMs: number;
  /** Progress of a reassignment: partitions in sync so far, of how many. */
  onReplicaProgress: (inSync: number, total: number) => void;
}

/** What an apply did. */
export interface ApplyOutcome {
  applied: PlanAction[];
  notApplied: PlanAction[];
  /** The action that failed, and why; the actions after it were not tried. */
  failure?: { action: PlanAction; error: unknown };
}

/** The ACL an action needs, for an authorization failure's message. */
function aclFor(action: PlanAction): string {
  switch (action.kind) {
    case 'create':
      return `CREATE on topic ${action.topic}`;
    case 'set-config':
      return `ALTER_CONFIGS on topic ${action.topic}`;
    case 'add-partitions':
      return `ALTER on topic ${action.topic}`;
    case 'reassign':
      return 'ALTER on the cluster (partition reassignment)';
    case 'refuse':
      return 'none';
  }
}

/** A failure as the family's error: a refusal by the broker names the ACL the action needs. */
function explain(action: PlanAction, error: unknown): Error {
  const refused = [
    'TOPIC_AUTHORIZATION_FAILED',
    'CLUSTER_AUTHORIZATION_FAILED',
    'TOPIC_AUTHORIZATION_FAILED',
  ].some((type) => hasErrorType(error, type));
  const reason = error instanceof Error ? error.message : String(error);
  if (refused)
    return new AuthorizationError(
      `${describeAction(action)} was refused: ${reason}; it needs ${aclFor(action)}`,
      { cause: error },
    );
  if (error instanceof Error && 'exitCode' in error) return error;
  return new InfrastructureError(`${describeAction(action)} failed: ${reason}`, { cause: error });
}

/** One action in a few words, for outcome lines. */
export function describeAction(action: PlanAction): string {
  switch (action.kind) {
    case 'create':
      return `create ${action.topic}`;
    default:
      return `${action.topic}: ${action.change.setting} ${String(action.change.old)} -> ${String(action.change.new)}`;
  }
}

/** Runs the plan's actions in order; refusals must have been dealt with by the caller. */
export async function applyPlan(admin: Admin, plan: TopicPlan, options: ApplyOptions): Promise<ApplyOutcome> {
  const applied: PlanAction[] = [];
  const actions = plan.actions;
  for (const [index, action] of actions.entries()) {
    try {
      await applyAction(admin, action, options);
      applied.push(action);
    } catch (error) {
      return {
        applied,
        notApplied: actions.slice(index),
        failure: { action, error: explain(action, error) },
      };
    }
  }
  return { applied, notApplied: [] };
}

async function applyAction(admin: Admin, action: PlanAction, options: ApplyOptions): Promise<void> {
  switch (action.kind) {
    case 'create':
      await ensureTopics(admin, [action.spec], { mode: 'create' });
      return;
    case 'set-config':
      await setConfig(admin, action.topic, action.change.setting, String(action.change.new));
      return;
    case 'add-partitions':
      await admin.createPartitions({
        topicPartitions: [{ topic: action.topic, count: Number(action.change.new) }],
      });
      await waitForTopicsReady(admin, [action.topic]);
      return;
    case 'reassign':
      await reassign(admin, action, options);
      return;
    case 'refuse':
      throw new InfrastructureError(`${describeAction(action)} cannot be applied: ${action.wayOut}`);
  }
}

/** Sets one setting, writing back every other override the topic has (AlterConfigs replaces them all). */
async function setConfig(admin: Admin, topic: string, setting: string, value: string): Promise<void> {
  const live = (await readLiveTopics(admin, [topic])).get(topic);
  if (!live) throw new InfrastructureError(`topic ${topic} does not exist any more`);
  const sensitive = Object.entries(live.overrides)
    .filter(([, v]) => v === null)
    .map(([name]) => name);
  if (sensitive.length > 0)
    throw new InfrastructureError(
      `topic ${topic} has sensitive overrides (${sensitive.join(', ')}) that cannot be read back; set ${setting}=${value} with kafka-configs --alter --add-config, which changes only that setting`,
    );
  const configEntries = Object.entries({ ...live.overrides, [setting]: value }).map(([name, v]) => ({
    name,
    value: v as string,
  }));
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries }],
  });
  // AlterConfigs is answered before every broker serves the new value; the plan is only done when it does.
  await pollUntil(
    async () => (await readLiveTopics(admin, [topic])).get(topic)?.overrides[setting],
    (current) => current === value,
    { what: `${topic} to report ${setting}=${value}`, timeoutMs: 15_000 },
  );
}

async function reassign(
  admin: Admin,
  action: Extract<PlanAction, { kind: 'reassign' }>,
  options: ApplyOptions,
) {
  await admin.alterPartitionReassignments({
    topics: [
      {
        topic: action.topic,
        partitionAssignment: action.targets.map(({ partition, replicas }) => ({ partition, replicas })),
      },
    ],
  });
  const total = action.targets.length;
  await pollUntil(
    async () => {
      const live = (await readLiveTopics(admin, [action.topic])).get(action.topic);
      const inSync = action.targets.filter(({ partition, replicas }) => {
        const now = live?.layout.find((p) => p.partition === partition);
        return (
          now !== undefined &&
          now.replicas.length === replicas.length &&
          replicas.every((r) => now.replicas.includes(r) && now.isr.includes(r))
        );
      }).length;
      options.onReplicaProgress(inSync, total);
      return inSync;
    },
    (inSync) => inSync === total,
    {
      what: `every new replica of ${action.topic} to be in sync (${total} partition(s))`,
      timeoutMs: options.replicaTimeoutMs,
      maxIntervalMs: 250,
      show: (inSync) => `${String(inSync)} of ${total} partitions with their target replicas in sync`,
    },
  );
}
