// `ratings-kafka topics create|verify|describe`: the contract topics on a real cluster.
import type { Admin } from 'kafkajs';
import { type TopicProfile, type TopicSpec, topicsForProfile } from '../../contracts/topics.ts';
import { describeContractTopics, type TopicDescription } from '../admin/describe-topics.ts';
import { allMatch, ensureTopics, type TopicReport } from '../admin/ensure-topics.ts';
import { COMMON_OPTIONS, PROFILE_OPTION, profileFlag } from './args.ts';
import { requireBrokers } from './brokers.ts';
import { type CliIo, type Command, defineCommand, printJson, println } from './command.ts';
import { cliKafka, connectAdmin } from './connect.ts';
import { EXIT_CHECK_FAILED, EXIT_CODES_HELP, EXIT_OK, InfrastructureError } from './exit-codes.ts';

const ACTIONS = ['create', 'verify', 'describe'] as const;
const OPTIONS = { ...COMMON_OPTIONS, ...PROFILE_OPTION } as const;

const HELP = `Usage: ratings-kafka topics <create|verify|describe> [options]

The contract topics (ratings, metrics, ratings.dlq) as contracts/topics.ts declares them.

  create    create the missing topics (idempotent) and report each one: created, exists, matches,
            or drift with every differing setting; an existing topic is never altered
  verify    read-only: compare the broker's topics with the contract; drift or a missing topic fails
  describe  partitions, leaders, replicas, earliest/latest offsets, effective declared settings

Options:
  --profile development|production  topic profile (default development; production: 3 replicas,
                                    min.insync.replicas=2, needs at least 3 brokers)
  --brokers host:port[,host:port]   bootstrap servers (default: KAFKA_BROKERS)
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
    if (action === undefined) usage.problem('topics needs an action: create, verify or describe');
    if (extra.length > 0) usage.problem(`unexpected argument ${extra.join(' ')} after topics ${action}`);
    if (action !== undefined && !(ACTIONS as readonly string[]).includes(action)) {
      usage.problem(`unknown topics action "${action}": expected create, verify or describe`);
    }
    const checkedProfile = usage.check(() => profileFlag(values.profile));
    const checkedBrokers = usage.check(() => requireBrokers(values.brokers, io.env));
    usage.done();
    const [profile, brokers] = [checkedProfile!, checkedBrokers!];
    const specs = topicsForProfile(profile);
    const admin = await connectAdmin(cliKafka(brokers, io.env), brokers);
    try {
      if (action === 'describe') return await describe(admin, specs, profile, io, values.json === true);
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
