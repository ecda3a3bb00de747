// `ratings-kafka contracts check|release|pin`: the compatibility gate between the working contract and the
// releases consumers build against, the cutting of a new release, and where a pinned consumer reads from.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_COMPATIBILITY } from '../../contracts/compatibility.ts';
import { CONSUMERS, pinOf } from '../../contracts/consumers.ts';
import { EVENT_ARTEFACTS, GENERATED_DIR, renderArtefacts } from '../artefacts/generate.ts';
import { decodeMetric, decodeRating } from '../codec/events.ts';
import { checkCompatibility } from '../compat/check.ts';
import { pinnedRelease } from '../compat/pins.ts';
import { listReleases, loadRelease, parseVersion, writeRelease } from '../compat/releases.ts';
import { checkJson, formatCheck, formatGithubAnnotations } from '../compat/report.ts';
import { formatRetainedScan, scanRetainedRecords } from '../compat/retained-records.ts';
import { gitSnapshot, workingSnapshot } from '../compat/snapshots.ts';
import { CheckFailedError } from '../errors.ts';
import { COMMON_OPTIONS, choiceFlag, integerFlag } from './args.ts';
import { requireBrokers } from './brokers.ts';
import { type CliIo, type Command, defineCommand, printJson, println } from './command.ts';
import { cliKafka, requireTopics } from './connect.ts';
import { EXIT_CHECK_FAILED, EXIT_CODES_HELP, EXIT_OK } from './exit-codes.ts';
import { createProgress } from './progress.ts';

/** The repository the CLI runs from: where contracts/releases lives. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ACTIONS = ['check', 'release', 'pin'] as const;
const ERROR_FORMATS = ['text', 'github-actions'] as const;
const OPTIONS = {
  ...COMMON_OPTIONS,
  'against-ref': { type: 'string' },
  'against-topic': { type: 'string' },
  sample: { type: 'string' },
  'error-format': { type: 'string', default: 'text' },
} as const;

const HELP = `Usage: ratings-kafka contracts check [options]
       ratings-kafka contracts check --against-topic TOPIC [--sample N] [--brokers host:port]
       ratings-kafka contracts release <MAJOR.MINOR.PATCH>
       ratings-kafka contracts pin <CONSUMER>

  check    compare the working contract (contracts/*.ts) with the releases in contracts/releases that
           each event's compatibility mode (contracts/compatibility.ts) and the consumers' pins
           (contracts/consumers.ts) say must stay readable; print every difference with its rule name,
           path, old and new values, the direction it breaks and the readers and consumers it breaks
  release  cut a release from the working contract: refuses an existing or older version, stale
           contracts/generated/ files, and a breaking change without a new major version
  pin      print the folder of the release CONSUMER is pinned at (contracts/consumers.ts), after checking
           it against its manifest: where the Spark job reads its DDL and JSON Schema (helpers/spark/run.sh
           asks this). Consumers: ${CONSUMERS.map((c) => c.name).join(', ')}

Options:
  --against-ref REF                compare with the contract committed at a git ref (tag, branch, commit)
                                   instead of the releases; the ref's history must be in the clone
  --against-topic TOPIC            instead: decode the records TOPIC retains (ratings or metrics) with the
                                   working contract and count those it would refuse, per field and
                                   reason, with the first record coordinates; read-only (no consumer
                                   group, nothing committed); exit 1 when any is refused
  --sample N                       with --against-topic: read at most N records, spread over partitions
  --brokers host:port[,host:port]  with --against-topic: bootstrap servers (default: KAFKA_BROKERS)
  --error-format text|github-actions  github-actions: also print workflow annotations (::error, ::notice)
  --json                           print one JSON object on stdout instead of text
  -h, --help                       show this help

Verdicts: BREAKING (a reader the event's mode protects refuses a record the other side allows; a topic
change that is breaking, impossible, or breaking for consumers that replay older data), compatible.

Exit codes (check): 0 nothing breaking (compatible changes are listed), 1 at least one breaking change or
an edited release, 2 usage error, 3 infrastructure error. Exit codes (pin): 0, 1 when the pinned release
is missing or edited, 2 for an unknown consumer.
${EXIT_CODES_HELP}`;

/** The `contracts` command. */
export const contractsCommand: Command = defineCommand({
  name: 'contracts',
  summary: "check the working contract against its releases, cut a release, or show a consumer's pin",
  help: HELP,
  options: OPTIONS,
  positionals: true,
  async run({ values, positionals, usage }, io) {
    const [action, ...rest] = positionals;
    if (action === undefined) usage.problem(`contracts needs an action: ${ACTIONS.join(', ')}`);
    else if (!(ACTIONS as readonly string[]).includes(action))
      usage.problem(`unknown contracts action "${action}": expected ${ACTIONS.join(', ')}`);
    const format = usage.check(() => choiceFlag('error-format', values['error-format'], ERROR_FORMATS));
    let version: string | undefined;
    if (action === 'pin') {
      const names = CONSUMERS.map((consumer) => consumer.name);
      const [consumer] = rest;
      if (rest.length !== 1 || consumer === undefined)
        usage.problem(`contracts pin needs exactly one consumer: ${names.join(', ')}`);
      else if (!names.includes(consumer))
        usage.problem(`no consumer "${consumer}" in contracts/consumers.ts: expected ${names.join(', ')}`);
      for (const flag of ['against-ref', 'against-topic', 'sample'] as const)
        if (values[flag] !== undefined) usage.problem(`--${flag} applies to contracts check only`);
      usage.done();
      return pin(consumer as string, io, values.json === true);
    }
    if (action === 'release') {
      if (rest.length !== 1)
        usage.problem('contracts release needs exactly one version, e.g. contracts release 1.1.0');
      else {
        const [candidate] = rest as [string];
        if (usage.check(() => parseVersion(candidate))) version = candidate;
      }
      if (values['against-ref'] !== undefined) usage.problem('--against-ref applies to contracts check only');
    } else if (action === 'check' && values['against-topic'] !== undefined) {
      const topic = values['against-topic'];
      const event = EVENT_ARTEFACTS.find((candidate) => candidate.topic.name === topic);
      if (!event)
        usage.problem(
          `--against-topic must name a topic with an event contract (${EVENT_ARTEFACTS.map((e) => e.topic.name).join(', ')}), got "${topic}"`,
        );
      if (values['against-ref'] !== undefined)
        usage.problem('--against-topic and --against-ref are two different checks: give one');
      const sample =
        values.sample === undefined
          ? undefined
          : usage.check(() => integerFlag('sample', values.sample as string));
      const brokers = usage.check(() => requireBrokers(values.brokers, io.env));
      if (rest.length > 0) usage.problem(`unexpected argument ${rest.join(' ')} after contracts check`);
      usage.done();
      return againstTopic(topic, brokers!, sample, io, values.json === true);
    } else if (rest.length > 0)
      usage.problem(`unexpected argument ${rest.join(' ')} after contracts ${action}`);
    if (values.sample !== undefined)
      usage.problem('--sample applies to contracts check --against-topic only');
    usage.done();
    if (action === 'release') return release(version as string, io, values.json === true);
    return check(io, {
      againstRef: values['against-ref'],
      json: values.json === true,
      github: format === 'github-actions',
    });
  },
});

function check(
  io: CliIo,
  options: { againstRef: string | undefined; json: boolean; github: boolean },
): number {
  const releases =
    options.againstRef !== undefined
      ? [gitSnapshot(ROOT, options.againstRef)]
      : listReleases(ROOT).map((version) => loadRelease(ROOT, version));
  // A git ref stands for one earlier contract: every event is compared with it, whatever consumers pin.
  const result = checkCompatibility(
    workingSnapshot(),
    releases,
    options.againstRef !== undefined ? { consumers: [], everySnapshot: true } : { consumers: CONSUMERS },
  );
  if (options.json) printJson(io.stdout, checkJson(result));
  else println(io.stdout, formatCheck(result));
  if (options.github) {
    // Workflow commands are read from the step's output; with --json stdout stays one object.
    const annotations = formatGithubAnnotations(result);
    if (annotations) println(options.json ? io.stderr : io.stdout, annotations);
  }
  return result.ok ? EXIT_OK : EXIT_CHECK_FAILED;
}

/** Prints the verified folder of a consumer's pinned release: one line, for scripts; or the whole pin. */
function pin(consumer: string, io: CliIo, json: boolean): number {
  const pinned = pinnedRelease(ROOT, pinOf(consumer));
  if (json) {
    const { name, release: version, reads, reader } = pinned.pin;
    printJson(io.stdout, {
      command: 'contracts pin',
      consumer: name,
      release: version,
      reads,
      reader,
      dir: pinned.dir,
    });
  } else println(io.stdout, pinned.dir);
  return EXIT_OK;
}

function release(version: string, io: CliIo, json: boolean): number {
  const files = renderArtefacts();
  // What other teams read today must be what is released: a stale contracts/generated/ is fixed first.
  const stale = [...files].filter(([name, content]) => readGenerated(name) !== content).map(([name]) => name);
  if (stale.length > 0)
    throw new CheckFailedError(
      `${GENERATED_DIR}/ is stale (${stale.join(', ')}): run npm run contracts:generate and commit it first`,
    );
  const existing = listReleases(ROOT);
  const releases = existing.map((v) => loadRelease(ROOT, v));
  const result = checkCompatibility(workingSnapshot(), releases);
  const latest = existing.at(-1);
  const newMajor = latest === undefined || parseVersion(version)[0] > parseVersion(latest)[0];
  if (!result.ok && !newMajor) {
    println(io.stdout, formatCheck(result));
    throw new CheckFailedError(
      `release ${version} would break readers of ${latest}: a breaking change needs a new major version (${parseVersion(latest as string)[0] + 1}.0.0) and every consumer in contracts/consumers.ts moved off the releases it breaks`,
    );
  }
  const dir = relative(ROOT, writeRelease(ROOT, version, files));
  const modes = Object.entries(EVENT_COMPATIBILITY).map(([event, c]) => `${event} ${c.mode}`);
  if (json)
    printJson(io.stdout, { command: 'contracts release', version, dir, files: [...files.keys()], modes });
  else {
    println(io.stdout, `released ${version} in ${dir}:`);
    for (const name of files.keys()) println(io.stdout, `  ${name}`);
    println(io.stdout, `  manifest.json (sha256 of each file)`);
    println(io.stdout, `compatibility: ${modes.join(', ')}`);
  }
  return EXIT_OK;
}

function readGenerated(name: string): string | undefined {
  const path = join(ROOT, GENERATED_DIR, name);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** The working strict decoder of the event a contract topic carries. */
const DECODERS: Readonly<Record<string, () => ReturnType<typeof decodeRating | typeof decodeMetric>>> = {
  RatingEvent: () => decodeRating(),
  MetricEvent: () => decodeMetric(),
};

async function againstTopic(
  topic: string,
  brokers: string[],
  sample: number | undefined,
  io: CliIo,
  json: boolean,
) {
  const event = EVENT_ARTEFACTS.find((candidate) => candidate.topic.name === topic);
  const decoder = DECODERS[String(event?.schema.title)];
  if (!decoder) throw new Error(`no decoder for the event of topic ${topic}`);
  const kafka = cliKafka(brokers, io.env);
  await requireTopics(kafka, brokers, [topic]);
  const progress = createProgress(io.stderr, `judging ${topic}`);
  const scan = await scanRetainedRecords(kafka, {
    topic,
    decode: decoder() as Parameters<typeof scanRetainedRecords>[1]['decode'],
    onProgress: (done, fraction) => progress.update(done, fraction),
    ...(sample !== undefined ? { sample } : {}),
  });
  progress.finish();
  if (json)
    printJson(io.stdout, { command: 'contracts check --against-topic', ok: scan.refused === 0, ...scan });
  else {
    println(io.stdout, formatRetainedScan(scan));
    println(
      io.stdout,
      scan.refused === 0
        ? `OK: the working contract accepts every record read from ${topic}`
        : `FAIL: the working contract refuses ${scan.refused} of the ${scan.scanned} records read from ${topic}`,
    );
  }
  return scan.refused === 0 ? EXIT_OK : EXIT_CHECK_FAILED;
}
