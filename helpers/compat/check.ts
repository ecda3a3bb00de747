// The compatibility check: the working contract against every release that its events' modes, and the
// consumers' pins, say must stay readable. One verdict per difference: its name, place, old and new
// values, the direction it breaks and who it breaks.
import {
  type CompatibilityMode,
  directionsOf,
  EVENT_COMPATIBILITY,
  type EventCompatibility,
  isTransitive,
} from '../../contracts/compatibility.ts';
import { CONSUMERS, type ConsumerPin } from '../../contracts/consumers.ts';
import { READER_KINDS, type ReaderKind } from './readers.ts';
import { type ContractSnapshot, compareVersions, parseVersion } from './releases.ts';
import { diffSchemas, type SchemaChange } from './schema-diff.ts';
import { diffTopicSets, FAILING_TOPIC_SAFETY, type TopicChange } from './topic-diff.ts';

/** A schema difference as the check judged it against one release. */
export interface JudgedSchemaChange extends SchemaChange {
  event: string;
  release: string;
  /** True when a direction the event's mode checks has a reader that breaks. */
  breaking: boolean;
  /** The consumers pinned to this release whose reader breaks forward (old reader, new data). */
  brokenConsumers: string[];
}

/** A topic difference as the check judged it against one release. */
export interface JudgedTopicChange extends TopicChange {
  release: string;
  breaking: boolean;
}

/** One event's verdict. */
export interface EventVerdict {
  event: string;
  mode: CompatibilityMode;
  why: string;
  /** The releases it was compared with, oldest first. */
  against: string[];
  changes: JudgedSchemaChange[];
}

/** The whole check. */
export interface CheckResult {
  ok: boolean;
  working: string;
  releases: string[];
  events: EventVerdict[];
  topics: JudgedTopicChange[];
}

/** The releases an event is checked against: by its mode, plus every release a consumer of it pins. */
export function releasesToCheck(
  event: string,
  mode: CompatibilityMode,
  releases: readonly ContractSnapshot[],
  consumers: readonly ConsumerPin[] = CONSUMERS,
): string[] {
  const having = releases.filter((release) => release.schemas.has(event)).map((release) => release.version);
  if (mode === 'NONE' || having.length === 0) return [];
  const latest = having.at(-1) as string;
  const selected = new Set<string>();
  if (isTransitive(mode)) {
    // A new major line is where a breaking change was accepted: the line starts again from it.
    const major = parseVersion(latest)[0];
    for (const version of having) if (parseVersion(version)[0] === major) selected.add(version);
  } else selected.add(latest);
  for (const pin of consumers)
    if (pin.reads.includes(event) && having.includes(pin.release)) selected.add(pin.release);
  return [...selected].sort(compareVersions);
}

/** The readers that break in the directions `mode` checks. */
function breakingReaders(change: SchemaChange, mode: CompatibilityMode): ReaderKind[] {
  const { backward, forward } = directionsOf(mode);
  const broken = new Set([...(backward ? change.backward : []), ...(forward ? change.forward : [])]);
  return READER_KINDS.filter((kind) => broken.has(kind));
}

/** What the check reads from contracts/ unless told otherwise. */
export interface CheckOptions {
  consumers: readonly ConsumerPin[];
  modes: Readonly<Record<string, EventCompatibility>>;
  /** Compare every event with every snapshot given (a git ref), whatever its mode's line and the pins. */
  everySnapshot: boolean;
}

/** Compares `working` with `releases` (oldest first) as each event's mode says. */
export function checkCompatibility(
  working: ContractSnapshot,
  releases: readonly ContractSnapshot[],
  options: Partial<CheckOptions> = {},
): CheckResult {
  const { consumers = CONSUMERS, modes = EVENT_COMPATIBILITY, everySnapshot = false } = options;
  const byVersion = new Map(releases.map((release) => [release.version, release]));
  const events: EventVerdict[] = [];
  const topicReleases = new Set<string>();
  for (const [event, schema] of working.schemas) {
    const declared = modes[event];
    if (!declared)
      throw new Error(`event ${event} declares no compatibility mode in contracts/compatibility.ts`);
    const against =
      everySnapshot && declared.mode !== 'NONE'
        ? releases.filter((r) => r.schemas.has(event)).map((r) => r.version)
        : releasesToCheck(event, declared.mode, releases, consumers);
    const changes: JudgedSchemaChange[] = [];
    for (const version of against) {
      topicReleases.add(version);
      const old = byVersion.get(version)?.schemas.get(event);
      if (!old) continue;
      for (const change of diffSchemas(old, schema)) {
        const brokenConsumers = consumers
          .filter(
            (pin) =>
              pin.release === version && pin.reads.includes(event) && change.forward.includes(pin.reader),
          )
          .map((pin) => `${pin.name}@${pin.release}`);
        changes.push({
          ...change,
          event,
          release: version,
          breaking: breakingReaders(change, declared.mode).length > 0,
          brokenConsumers,
        });
      }
    }
    events.push({ event, mode: declared.mode, why: declared.why, against, changes });
  }
  // Topics are judged against the releases their events were: what the cluster and its readers were built on.
  if (topicReleases.size === 0 && releases.length > 0) topicReleases.add(releases.at(-1)?.version as string);
  const topics: JudgedTopicChange[] = [];
  for (const version of [...topicReleases].sort(compareVersions)) {
    const release = byVersion.get(version);
    if (!release) continue;
    for (const change of diffTopicSets(release.topics, working.topics)) {
      topics.push({ ...change, release: version, breaking: FAILING_TOPIC_SAFETY.has(change.safety) });
    }
  }
  const ok =
    events.every((verdict) => verdict.changes.every((c) => !c.breaking)) && topics.every((t) => !t.breaking);
  return { ok, working: working.version, releases: releases.map((r) => r.version), events, topics };
}

/** The readers a judged change breaks in the directions its event's mode checks (for reports). */
export function brokenReaders(change: JudgedSchemaChange, mode: CompatibilityMode): ReaderKind[] {
  return breakingReaders(change, mode);
}
