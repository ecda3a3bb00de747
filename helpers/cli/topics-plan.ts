// `ratings-kafka topics plan|apply`: the contract's topics carried onto a live cluster as a reviewed plan.
import type { Admin } from 'kafkajs';
import type { TopicSpec } from '../../contracts/topics.ts';
import { type ApplyOutcome, applyPlan, describeAction } from '../admin/topic-apply.ts';
import {
  type PlanAction,
  planTopics,
  readLiveTopics,
  safetyOf,
  type TopicPlan,
  UNSAFE_ACTIONS,
  type UnsafeAction,
} from '../admin/topic-plan.ts';
import { CheckFailedError, ConfigError, UsageError } from '../errors.ts';
import { type CliIo, printJson, println } from './command.ts';
import { formatCount } from './format.ts';
import { createProgress } from './progress.ts';

/** The plan for `specs` against the cluster `admin` talks to. */
export async function planFor(admin: Admin, specs: readonly TopicSpec[]): Promise<TopicPlan> {
  const [live, cluster] = await Promise.all([
    readLiveTopics(
      admin,
      specs.map((spec) => spec.name),
    ),
    admin.describeCluster(),
  ]);
  return planTopics(admin, specs, live, { brokers: cluster.brokers.map((b) => b.nodeId), now: Date.now() });
}

const show = (value: unknown): string => (value === null || value === undefined ? '(unset)' : String(value));

/** What an action does, measured where the plan could. */
function detailOf(action: PlanAction): string {
  switch (action.kind) {
    case 'create':
      return `${action.spec.partitions} partition(s), replication ${action.spec.replicationFactor}, ${Object.entries(
        action.spec.config,
      )
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`;
    case 'add-partitions':
      if (!action.remap) return action.change.why;
      return `${formatCount(action.remap.moved)} of ${formatCount(action.remap.keys)} userId keys (${((100 * action.remap.moved) / action.remap.keys).toFixed(1)} %) move to another partition: each of those users' ratings written before and after the change are on two partitions, so their order breaks; data already written is not moved`;
    case 'reassign':
      return `reassignment to ${action.targets.map((t) => `p${t.partition}[${t.replicas.join(',')}]`).join(' ')}; ${action.change.why}`;
    case 'set-config':
      if (action.change.rule === 'RETENTION_DECREASED')
        return action.unsafe
          ? `${formatCount(action.recordsDeleted ?? 0)} retained record(s) are older than the new retention and would be deleted`
          : 'no retained record is older than the new retention';
      return action.change.why;
    case 'refuse':
      return `Kafka cannot remove partitions; the way out: ${action.wayOut}`;
  }
}

function actionLine(action: PlanAction, allowed: ReadonlySet<UnsafeAction>): string {
  const safety = safetyOf(action);
  const gate =
    action.kind === 'refuse'
      ? ', refused'
      : 'unsafe' in action && action.unsafe
        ? allowed.has(action.unsafe)
          ? `, allowed by --allow ${action.unsafe}`
          : `, needs --allow ${action.unsafe}`
        : '';
  const what =
    action.kind === 'create'
      ? `create topic ${action.topic}`
      : action.kind === 'set-config'
        ? `set ${action.change.setting} ${show(action.change.old)} -> ${show(action.change.new)}`
        : action.kind === 'add-partitions'
          ? `add partitions ${action.change.old} -> ${action.change.new}`
          : action.kind === 'reassign'
            ? `replication factor ${action.change.old} -> ${action.change.new}`
            : `partitions ${action.change.old} -> ${action.change.new}`;
  return `${action.topic}: ${what}  [${safety}${gate}]\n    ${detailOf(action)}`;
}

/** The plan as text: one line per action with its safety class, then the settings left alone. */
export function formatPlan(plan: TopicPlan, allowed: ReadonlySet<UnsafeAction> = new Set()): string {
  const lines = plan.actions.map((action) => actionLine(action, allowed));
  for (const setting of plan.unmanaged)
    lines.push(
      `${setting.topic}: ${setting.setting}=${show(setting.value)}  [not in the contract: left alone]`,
    );
  const blocked = blockedActions(plan, allowed);
  const refused = plan.actions.filter((a) => a.kind === 'refuse').length;
  if (plan.actions.length === 0) lines.push('Nothing to do: every topic matches its contract.');
  else
    lines.push(
      `Plan: ${plan.actions.length} action(s)` +
        (blocked.length > 0
          ? `, ${blocked.length} needing --allow (${[...new Set(blocked.map((a) => a.unsafe))].join(', ')})`
          : '') +
        (refused > 0 ? `, ${refused} refused (impossible in Kafka)` : '') +
        '. Review it, then run `ratings-kafka topics apply`.',
    );
  return lines.join('\n');
}

/** The unsafe actions the flags do not allow. */
function blockedActions(plan: TopicPlan, allowed: ReadonlySet<UnsafeAction>) {
  return plan.actions.flatMap((action) =>
    'unsafe' in action && action.unsafe && !allowed.has(action.unsafe)
      ? [{ action, unsafe: action.unsafe }]
      : [],
  );
}

/** The plan as JSON-ready data. */
export function planJson(plan: TopicPlan): Record<string, unknown> {
  return {
    actions: plan.actions.map((action) => ({
      ...action,
      safety: safetyOf(action),
      detail: detailOf(action),
    })),
    unmanaged: plan.unmanaged,
  };
}

/** The values of `--allow`, each checked. */
export function allowFlag(values: readonly string[]): Set<UnsafeAction> {
  const allowed = new Set<UnsafeAction>();
  for (const value of values.flatMap((v) => v.split(','))) {
    if (!(UNSAFE_ACTIONS as readonly string[]).includes(value))
      throw new UsageError(`--allow must name unsafe actions (${UNSAFE_ACTIONS.join(', ')}), got "${value}"`);
    allowed.add(value as UnsafeAction);
  }
  return allowed;
}

/** `topics plan`: exit 0 when there is nothing to do, 1 when changes are planned. */
export async function runPlan(
  admin: Admin,
  specs: readonly TopicSpec[],
  io: CliIo,
  json: boolean,
): Promise<number> {
  const plan = await planFor(admin, specs);
  if (json)
    printJson(io.stdout, { command: 'topics plan', changes: plan.actions.length > 0, ...planJson(plan) });
  else println(io.stdout, formatPlan(plan));
  return plan.actions.length === 0 ? 0 : 1;
}

/** Options of {@link runApply}. */
export interface ApplyCommandOptions {
  allowed: ReadonlySet<UnsafeAction>;
  json: boolean;
  replicaTimeoutMs: number;
}

/**
 * `topics apply`: refused under KAFKA_READ_ONLY (exit 2), for an impossible action (exit 1, nothing
 * applied) or an unsafe one without its `--allow` (exit 2, nothing applied); else runs the plan and
 * stops at the first failure, saying what was and was not applied.
 */
export async function runApply(
  admin: Admin,
  specs: readonly TopicSpec[],
  io: CliIo,
  options: ApplyCommandOptions,
): Promise<number> {
  if (io.env.KAFKA_READ_ONLY === 'true')
    throw new ConfigError(
      'KAFKA_READ_ONLY=true: topics apply changes the cluster and is refused; run topics plan to see what it would do',
    );
  const plan = await planFor(admin, specs);
  const refused = plan.actions.filter((a) => a.kind === 'refuse');
  if (refused.length > 0) {
    println(io.stdout, formatPlan(plan, options.allowed));
    throw new CheckFailedError(
      `nothing applied: ${refused.map((a) => describeAction(a)).join('; ')} cannot be done in Kafka (see the way out above)`,
    );
  }
  const blocked = blockedActions(plan, options.allowed);
  if (blocked.length > 0) {
    println(io.stdout, formatPlan(plan, options.allowed));
    const flags = [...new Set(blocked.map((b) => b.unsafe))];
    throw new UsageError(
      `nothing applied: ${blocked.map((b) => describeAction(b.action)).join('; ')} ${blocked.length === 1 ? 'is' : 'are'} unsafe; review the plan and run again with ${flags.map((f) => `--allow ${f}`).join(' ')}`,
    );
  }
  if (plan.actions.length === 0) {
    if (options.json) printJson(io.stdout, { command: 'topics apply', applied: [], notApplied: [] });
    else println(io.stdout, 'Nothing to do: every topic matches its contract.');
    return 0;
  }
  if (!options.json) println(io.stdout, formatPlan(plan, options.allowed));
  const progress = createProgress(io.stderr, 'replicas in sync');
  const outcome = await applyPlan(admin, plan, {
    replicaTimeoutMs: options.replicaTimeoutMs,
    onReplicaProgress: (inSync, total) => progress.update(inSync, inSync / total),
  });
  progress.finish();
  report(outcome, io, options.json);
  if (outcome.failure) throw outcome.failure.error;
  return 0;
}

function report(outcome: ApplyOutcome, io: CliIo, json: boolean) {
  if (json) {
    printJson(io.stdout, {
      command: 'topics apply',
      applied: outcome.applied.map(describeAction),
      notApplied: outcome.notApplied.map(describeAction),
      ...(outcome.failure ? { failed: describeAction(outcome.failure.action) } : {}),
    });
    return;
  }
  for (const action of outcome.applied) println(io.stdout, `applied: ${describeAction(action)}`);
  for (const action of outcome.notApplied) println(io.stdout, `not applied: ${describeAction(action)}`);
  if (outcome.failure)
    println(io.stdout, 'Apply stopped at the first failure; run it again to carry on once it is fixed.');
  else
    println(io.stdout, `Applied ${outcome.applied.length} action(s); a second apply reports nothing to do.`);
}
