// How a compatibility verdict is printed: lines for a person, annotations for GitHub Actions (the
// `::error file=...::` workflow commands, shown on the pull request), and one JSON object for scripts.
import { directionsOf } from '../../contracts/compatibility.ts';
import {
  brokenReaders,
  type CheckResult,
  type EventVerdict,
  type JudgedSchemaChange,
  type JudgedTopicChange,
} from './check.ts';
import { READER_KINDS } from './readers.ts';

/** Where each event is declared, for annotations. */
const SOURCES: Readonly<Record<string, string>> = {
  RatingEvent: 'contracts/rating.ts',
  MetricEvent: 'contracts/metric.ts',
};
const TOPICS_SOURCE = 'contracts/topics.ts';

const show = (value: unknown): string => {
  if (value === undefined) return '(none)';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
};

/** What a schema change does, as one sentence: the directions it breaks, for whom. */
export function explainSchemaChange(change: JudgedSchemaChange, verdict: EventVerdict): string {
  const parts: string[] = [];
  const checked = directionsOf(verdict.mode);
  const readers = (kinds: readonly string[]) => READER_KINDS.filter((k) => kinds.includes(k)).join(', ');
  if (change.forward.length > 0) {
    const who = change.brokenConsumers.length > 0 ? ` (${change.brokenConsumers.join(', ')})` : '';
    parts.push(
      `forward: ${readers(change.forward)} readers built from ${change.release} refuse records the working contract allows${who}` +
        (checked.forward ? '' : ` [not checked by ${verdict.mode}]`),
    );
  }
  if (change.backward.length > 0) {
    parts.push(
      `backward: ${readers(change.backward)} readers built from the working contract refuse records ${change.release} allowed (retained or replayed data)` +
        (checked.backward ? '' : ` [not checked by ${verdict.mode}]`),
    );
  }
  if (parts.length === 0) parts.push('no reader can tell the difference');
  return parts.join('; ');
}

function schemaLine(change: JudgedSchemaChange): string {
  const label = change.breaking ? 'BREAKING  ' : 'compatible';
  return `  ${label}  ${change.rule}  ${change.path}  ${show(change.old)} -> ${show(change.new)}`;
}

function topicLine(change: JudgedTopicChange): string {
  const label = change.breaking ? 'BREAKING  ' : 'compatible';
  return `  ${label}  ${change.rule}  ${change.topic} ${change.setting}  ${show(change.old)} -> ${show(change.new)}  [${change.safety}] ${change.why}`;
}

/** The verdict as lines of text, ending with one OK or FAIL line. */
export function formatCheck(result: CheckResult): string {
  const lines: string[] = [];
  if (result.releases.length === 0)
    lines.push(
      'no release in contracts/releases: nothing to compare with (cut one: ratings-kafka contracts release 1.0.0)',
    );
  for (const verdict of result.events) {
    const against =
      verdict.against.length > 0 ? `against ${verdict.against.join(', ')}` : 'against no release';
    lines.push(`${verdict.event} (${verdict.mode}) ${against}`);
    for (const change of verdict.changes) {
      lines.push(`${schemaLine(change)}  [vs ${change.release}]`);
      lines.push(`              ${explainSchemaChange(change, verdict)}`);
    }
    if (verdict.changes.length === 0 && verdict.against.length > 0) lines.push('  no difference');
  }
  if (result.topics.length > 0) {
    lines.push('Topics');
    for (const change of result.topics) lines.push(`${topicLine(change)}  [vs ${change.release}]`);
  }
  const changes = [...result.events.flatMap((v) => v.changes), ...result.topics];
  const breaking = changes.filter((c) => c.breaking).length;
  const compatible = changes.length - breaking;
  lines.push(
    breaking > 0
      ? `FAIL: ${breaking} breaking change(s), ${compatible} compatible; a breaking change needs a new major release and every consumer moved off the releases it breaks`
      : `OK: nothing breaking; ${compatible} compatible change(s)`,
  );
  return lines.join('\n');
}

// Workflow command values: `%`, CR and LF must be escaped; properties also `:` and `,`.
const escapeData = (text: string): string =>
  text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
const escapeProperty = (text: string): string =>
  escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');

/** The verdict as GitHub Actions annotations: an error per breaking change, a notice per compatible one. */
export function formatGithubAnnotations(result: CheckResult): string {
  const lines: string[] = [];
  for (const verdict of result.events) {
    for (const change of verdict.changes) {
      const level = change.breaking ? 'error' : 'notice';
      const file = SOURCES[verdict.event] ?? 'contracts';
      const title = `${verdict.event} ${change.rule}`;
      const message = `${change.path}: ${show(change.old)} -> ${show(change.new)} (vs ${change.release}, ${verdict.mode}). ${explainSchemaChange(change, verdict)}`;
      lines.push(
        `::${level} file=${escapeProperty(file)},title=${escapeProperty(title)}::${escapeData(message)}`,
      );
    }
  }
  for (const change of result.topics) {
    const level = change.breaking ? 'error' : 'notice';
    const title = `${change.topic} ${change.rule}`;
    const message = `${change.setting}: ${show(change.old)} -> ${show(change.new)} (vs ${change.release}, ${change.safety}). ${change.why}`;
    lines.push(`::${level} file=${TOPICS_SOURCE},title=${escapeProperty(title)}::${escapeData(message)}`);
  }
  return lines.join('\n');
}

/** The verdict as one JSON-ready object: every change with the readers it breaks in the checked directions. */
export function checkJson(result: CheckResult): Record<string, unknown> {
  return {
    command: 'contracts check',
    ok: result.ok,
    working: result.working,
    releases: result.releases,
    events: result.events.map((verdict) => ({
      ...verdict,
      changes: verdict.changes.map((change) => ({
        ...change,
        brokenReaders: brokenReaders(change, verdict.mode),
      })),
    })),
    topics: result.topics,
  };
}
