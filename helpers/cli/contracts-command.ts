// `ratings-kafka contracts check|release`: the compatibility gate between the working contract and the
// releases consumers build against, and the cutting of a new release.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_COMPATIBILITY } from '../../contracts/compatibility.ts';
import { CONSUMERS } from '../../contracts/consumers.ts';
import { GENERATED_DIR, renderArtefacts } from '../artefacts/generate.ts';
import { checkCompatibility } from '../compat/check.ts';
import { listReleases, loadRelease, parseVersion, writeRelease } from '../compat/releases.ts';
import { checkJson, formatCheck, formatGithubAnnotations } from '../compat/report.ts';
import { gitSnapshot, workingSnapshot } from '../compat/snapshots.ts';
import { CheckFailedError } from '../errors.ts';
import { COMMON_OPTIONS, choiceFlag } from './args.ts';
import { type CliIo, type Command, defineCommand, printJson, println } from './command.ts';
import { EXIT_CHECK_FAILED, EXIT_CODES_HELP, EXIT_OK } from './exit-codes.ts';

/** The repository the CLI runs from: where contracts/releases lives. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ACTIONS = ['check', 'release'] as const;
const ERROR_FORMATS = ['text', 'github-actions'] as const;
const OPTIONS = {
  ...COMMON_OPTIONS,
  'against-ref': { type: 'string' },
  'error-format': { type: 'string', default: 'text' },
} as const;

const HELP = `Usage: ratings-kafka contracts check [options]
       ratings-kafka contracts release <MAJOR.MINOR.PATCH>

  check    compare the working contract (contracts/*.ts) with the releases in contracts/releases that
           each event's compatibility mode (contracts/compatibility.ts) and the consumers' pins
           (contracts/consumers.ts) say must stay readable; print every difference with its rule name,
           path, old and new values, the direction it breaks and the readers and consumers it breaks
  release  cut a release from the working contract: refuses an existing or older version, stale
           contracts/generated/ files, and a breaking change without a new major version

Options:
  --against-ref REF                compare with the contract committed at a git ref (tag, branch, commit)
                                   instead of the releases; the ref's history must be in the clone
  --error-format text|github-actions  github-actions: also print workflow annotations (::error, ::notice)
  --json                           print one JSON object on stdout instead of text
  -h, --help                       show this help

Verdicts: BREAKING (a reader the event's mode protects refuses a record the other side allows; a topic
change that is breaking, impossible, or breaking for consumers that replay older data), compatible.

Exit codes (check): 0 nothing breaking (compatible changes are listed), 1 at least one breaking change or
an edited release, 2 usage error, 3 infrastructure error.
${EXIT_CODES_HELP}`;

/** The `contracts` command. */
export const contractsCommand: Command = defineCommand({
  name: 'contracts',
  summary: 'check the working contract against its releases, or cut a release',
  help: HELP,
  options: OPTIONS,
  positionals: true,
  async run({ values, positionals, usage }, io) {
    const [action, ...rest] = positionals;
    if (action === undefined) usage.problem('contracts needs an action: check or release');
    else if (!(ACTIONS as readonly string[]).includes(action))
      usage.problem(`unknown contracts action "${action}": expected check or release`);
    const format = usage.check(() => choiceFlag('error-format', values['error-format'], ERROR_FORMATS));
    let version: string | undefined;
    if (action === 'release') {
      if (rest.length !== 1)
        usage.problem('contracts release needs exactly one version, e.g. contracts release 1.1.0');
      else {
        const [candidate] = rest as [string];
        if (usage.check(() => parseVersion(candidate))) version = candidate;
      }
      if (values['against-ref'] !== undefined) usage.problem('--against-ref applies to contracts check only');
    } else if (rest.length > 0)
      usage.problem(`unexpected argument ${rest.join(' ')} after contracts ${action}`);
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
