// `ratings-kafka topics create|verify|describe|plan|apply`: the contract topics on a real cluster.
import type { ParseArgsOptionsConfig } from 'node:util';
import type { Admin } from 'kafkajs';
import { type TopicProfile, type TopicSpec, topicsForProfile } from '../../contracts/topics.ts';
import { describeContractTopics, type TopicDescription } from '../admin/describe-topics.ts';
import { allMatch, ensureTopics, type TopicReport } from '../admin/ensure-topics.ts';
import { COMMON_OPTIONS, durationFlag, PROFILE_OPTION, profileFlag } from './args.ts';
import { requireBrokers } from './brokers.ts';
import { type CliIo, type Command, defineCommand, printJson, println } from './command.ts';
import { cliKafka, connectAdmin } from './connect.ts';
import { EXIT_CHECK_FAILED, EXIT_CODES_HELP, EXIT_OK, InfrastructureError } from './exit-codes.ts';
import { allowFlag, runApply, runPlan } from './topics-plan.ts';

const ACTIONS = ['create', 'verify', 'describe', 'plan', 'apply'] as const;
const OPTIONS = {
  ...COMMON_OPTIONS,
  ...PROFILE_OPTION,
  allow: { type: 'string', multiple: true },
  'replica-timeout': { type: 'string', default: '5m' },
} as const satisfies ParseArgsOptionsConfig;

const HELP = `Usage: ratings-kafka topics <create|verify|describe|plan|apply> [options]

The contract topics (ratings, metrics, ratings.dlq) as contracts/topics.ts declares them.

  create    create the missing topics (idempotent) and report each one: created, exists, matches,
            or drift with every differing setting; an existing topic is never altered
  verify    read-only: compare the broker's topics with the contract; drift or a missing topic fails
  describe  partitions, leaders, replicas, earliest/latest offsets, effective declared settings
  plan      read-only: what it takes to bring the cluster to the contract, one line per action with
            its safety class (compatible, operational, breaking, impossible); settings the contract
            does not declare are listed and left alone. Exit 0: nothing to do; 1: changes planned
  apply     carry out the plan: create, set settings, add partitions, reassign replicas (waits until
            every new replica is in sync); stops at the first failure saying what was applied, and a
            second run carries on. Unsafe actions run only when --allow names them; an impossible one
            (fewer partitions) applies nothing (exit 1); refused with KAFKA_READ_ONLY=true (exit 2)

Options:
  --profile development|production  topic profile (default development; production: 3 replicas,
                                    min.insync.replicas=2, needs at least 3 brokers)
  --brokers host:port[,host:port]   bootstrap servers (default: KAFKA_BROKERS)
  --allow ACTION[,ACTION]           apply: run these unsafe actions: key-remap (partitions added to a
                                    keyed topic), retention-shrink (deletes retained records),
                                    cleanup-policy, message-size-shrink
  --replica-timeout DURATION        apply: how long a reassignment may take to get in sync (default 5m)
  --json                            print one JSON object on stdout instead of text
  -h, --help                        show this help

${EXIT_CODES_HELP}`;

/** The `topics` command. */
export const topicsCommand: Command = defineCommand({
  name: 'topics',
  summary: 'create, verify or describe the contract topics',
  help: HELP,
  options: OPTIONS,
  positionals: true,
  async run({ values, positionals, usage }, io) {
    const [action, ...extra] = positionals;
    if (action === undefined) usage.problem(`topics needs an action: ${ACTIONS.join(', ')}`);
    if (extra.length > 0) usage.problem(`unexpected argument ${extra.join(' ')} after topics ${action}`);
    if (action !== undefined && !(ACTIONS as readonly string[]).includes(action)) {
      usage.problem(`unknown topics action "${action}": expected ${ACTIONS.join(', ')}`);
    }
    const allowed = usage.check(() => allowFlag(values.allow ?? []));
    const replicaTimeoutMs = usage.check(() => durationFlag('replica-timeout', values['replica-timeout']));
    if (action !== 'apply' && (values.allow ?? []).length > 0)
      usage.problem('--allow applies to topics apply only');
    const checkedProfile = usage.check(() => profileFlag(values.profile));
    const checkedBrokers = usage.check(() => requireBrokers(values.brokers, io.env));
    usage.done();
    const [profile, brokers] = [checkedProfile!, checkedBrokers!];
    const specs = topicsForProfile(profile);
    const admin = await connectAdmin(cliKafka(brokers, io.env), brokers);
    try {
      if (action === 'describe') return await describe(admin, specs, profile, io, values.json === true);
      if (action === 'plan') return await runPlan(admin, specs, io, values.json === true);
      if (action === 'apply')
        return await runApply(admin, specs, io, {
          allowed: allowed!,
          json: values.json === true,
          replicaTimeoutMs: replicaTimeoutMs!,
        });
      if (action === 'create') await requireEnoughBrokers(admin, specs, profile, brokers);
      const reports = await ensureTopics(admin, specs, { mode: action === 'create' ? 'create' : 'verify' });
      const ok = allMatch(reports);
      if (values.json) {
        printJson(io.stdout, {
          command: `topics ${action}`,
          profile,
          ok,
          topics: reports.map((r) => withSpec(r, specs)),
        });
      } else {
        println(io.stdout, formatReports(reports, specs));
        println(io.stdout, ok ? 'OK: every topic matches its contract' : 'FAIL: see the topics above');
      }
      return ok ? EXIT_OK : EXIT_CHECK_FAILED;
    } finally {
      await admin.disconnect();
    }
  },
});

// Creating 3-replica topics on a 1-broker cluster fails deep in the broker; say so up front.
async function requireEnoughBrokers(
  admin: Admin,
  specs: TopicSpec[],
  profile: TopicProfile,
  brokers: string[],
) {
  const needed = Math.max(...specs.map((spec) => spec.replicationFactor));
  const cluster = await admin.describeCluster();
  if (cluster.brokers.length < needed) {
    throw new InfrastructureError(
      `the ${profile} profile needs ${needed} brokers for its replication factor; the cluster at ${brokers.join(',')} has ${cluster.brokers.length}`,
    );
  }
}

function expectedOf(spec: TopicSpec) {
  return { partitions: spec.partitions, replicationFactor: spec.replicationFactor, config: spec.config };
}

function withSpec(report: TopicReport, specs: TopicSpec[]) {
  const spec = specs.find((candidate) => candidate.name === report.topic);
  return { ...report, ...(spec ? { expected: expectedOf(spec) } : {}) };
}

function formatReports(reports: TopicReport[], specs: TopicSpec[]): string {
  return reports
    .flatMap((report) => {
      const spec = specs.find((candidate) => candidate.name === report.topic);
      const head = `${report.topic}: ${report.status}`;
      if (report.status === 'drift') {
        return [
          head,
          ...report.drift.map((d) => `  ${d.setting}: expected ${d.expected}, found ${d.actual}`),
        ];
      }
      if (!spec || report.status === 'missing') return [head];
      const settings = [
        `partitions=${spec.partitions}`,
        `replication.factor=${spec.replicationFactor}`,
        ...Object.entries(spec.config).map(([name, value]) => `${name}=${value}`),
      ];
      return [head, `  ${settings.join('  ')}`];
    })
    .join('\n');
}

async function describe(
  admin: Admin,
  specs: TopicSpec[],
  profile: TopicProfile,
  io: CliIo,
  json: boolean,
): Promise<number> {
  const topics = await describeContractTopics(admin, specs);
  // As `topics verify` judges: a topic that drifts from its contract fails the check.
  const ok = topics.every((topic) => topic.status === 'present' && topic.drift.length === 0);
  if (json) printJson(io.stdout, { command: 'topics describe', profile, ok, topics });
  else println(io.stdout, topics.map(formatDescription).join('\n\n'));
  return ok ? EXIT_OK : EXIT_CHECK_FAILED;
}

/** One topic as `topics describe` prints it; settings that drift from the contract are marked. */
export function formatDescription(topic: TopicDescription): string {
  if (topic.status === 'missing')
    return `${topic.topic}: missing (create it with \`ratings-kafka topics create\`)`;
  const drifted = new Map(topic.drift.map((d) => [d.setting, d.expected]));
  // A setting that differs from the contract is marked, with what the contract says, as `topics verify` reports it.
  const marked = (setting: string, shown: string): string => {
    const expected = drifted.get(setting);
    return expected === undefined ? shown : `${shown} (DRIFT: contract says ${expected})`;
  };
  const lines = [
    `${topic.topic}: ${topic.drift.length > 0 ? `drift in ${topic.drift.length} setting(s); ` : ''}` +
      `${marked('partitions', `${topic.partitions.length} partition(s)`)}, ` +
      marked('replication.factor', `replication factor ${topic.replicationFactor}`),
    ...topic.partitions.map(
      (p) =>
        `  partition ${p.partition}  leader ${p.leader}  replicas [${p.replicas.join(',')}]  offsets ${p.earliest}..${p.latest}`,
    ),
    ...Object.entries(topic.config).map(([name, value]) => `  ${marked(name, `${name}=${value}`)}`),
  ];
  return lines.join('\n');
}
