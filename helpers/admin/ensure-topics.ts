import type { Admin } from 'kafkajs';
import type { TopicSpec } from '../../contracts/topics.ts';
import { describeTopics, type ObservedTopic, sameConfigValue } from './topic-config.ts';

/** One setting where the broker disagrees with the contract. */
export interface Drift {
  setting: string;
  expected: string;
  actual: string;
}

/** The verdict for one topic. */
export type TopicStatus = 'created' | 'exists, matches' | 'drift' | 'missing';

/** What happened to one topic, with every difference spelled out. */
export interface TopicReport {
  topic: string;
  status: TopicStatus;
  drift: Drift[];
}

/** `create` creates missing topics; `verify` only reads (safe against a production cluster). */
export interface EnsureOptions {
  mode: 'create' | 'verify';
}

/** True when every topic exists and matches its contract. */
export function allMatch(reports: TopicReport[]): boolean {
  return reports.every((report) => report.status === 'created' || report.status === 'exists, matches');
}

/** Lists the differences between a contract and what the broker holds: only declared settings. */
export function driftOf(spec: TopicSpec, observed: ObservedTopic): Drift[] {
  const drift: Drift[] = [];
  if (observed.partitions !== spec.partitions) {
    drift.push({
      setting: 'partitions',
      expected: String(spec.partitions),
      actual: String(observed.partitions),
    });
  }
  if (observed.replicationFactor !== spec.replicationFactor) {
    drift.push({
      setting: 'replication.factor',
      expected: String(spec.replicationFactor),
      actual: String(observed.replicationFactor),
    });
  }
  for (const [setting, expected] of Object.entries(spec.config)) {
    const actual = observed.config[setting];
    if (!sameConfigValue(setting, expected, actual))
      drift.push({ setting, expected, actual: actual ?? '(unset)' });
  }
  return drift;
}

/**
 * Creates (idempotently) or verifies the given topics. An existing topic with another configuration
 * is reported as drift, setting by setting, and is never altered: changing partitions of a keyed
 * topic would move users to other partitions, so that is a human decision.
 */
export async function ensureTopics(
  admin: Admin,
  specs: TopicSpec[],
  options: Partial<EnsureOptions> = {},
): Promise<TopicReport[]> {
  const mode = options.mode ?? 'create';
  const names = specs.map((spec) => spec.name);
  const configNames = [...new Set(specs.flatMap((spec) => Object.keys(spec.config)))];
  const before = await describeTopics(admin, names, configNames);
  const missing = specs.filter((spec) => !before.has(spec.name));
  const created = new Set<string>();
  if (mode === 'create' && missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((spec) => ({
        topic: spec.name,
        numPartitions: spec.partitions,
        replicationFactor: spec.replicationFactor,
        configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
      })),
    });
    for (const spec of missing) created.add(spec.name);
  }
  const after = created.size > 0 ? await describeTopics(admin, names, configNames) : before;
  return specs.map((spec) => {
    const observed = after.get(spec.name);
    if (!observed) return { topic: spec.name, status: 'missing', drift: [] };
    const drift = driftOf(spec, observed);
    if (drift.length > 0) return { topic: spec.name, status: 'drift', drift };
    return { topic: spec.name, status: created.has(spec.name) ? 'created' : 'exists, matches', drift: [] };
  });
}

/** One line per topic, and one per drifting setting, for terminals and CI logs. */
export function formatTopicReports(reports: TopicReport[]): string {
  return reports
    .flatMap((report) => [
      `${report.topic}: ${report.status}`,
      ...report.drift.map((d) => `  ${d.setting}: expected ${d.expected}, found ${d.actual}`),
    ])
    .join('\n');
}
