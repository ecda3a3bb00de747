// Which Java runs the native broker: JAVA_HOME's, else the one on PATH, if it is new enough for Kafka 4.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { InfrastructureError } from '../../errors.ts';

/** The oldest Java major version Apache Kafka 4.x brokers run on. */
export const MIN_JAVA_MAJOR = 17;

const versions = new Map<string, string | undefined>();

/** The `java.version` a java executable reports, or undefined when it cannot be run. */
export function javaVersion(java: string): string | undefined {
  if (versions.has(java)) return versions.get(java);
  const result = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 15_000 });
  const version =
    result.error || result.status !== 0 ? undefined : /version "([^"]+)"/.exec(result.stderr)?.[1];
  versions.set(java, version);
  return version;
}

/** The major version of a `java.version` string: `1.8.0_292` is 8, `17.0.15` is 17. */
export function javaMajor(version: string): number {
  const parts = version.split(/[.+-]/).map((part) => Number.parseInt(part, 10));
  return parts[0] === 1 ? (parts[1] ?? 0) : (parts[0] ?? 0);
}

/** The java executable to run Kafka with (JAVA_HOME first, then PATH), or undefined when none is >= 17. */
export function findJava(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates: string[] = [];
  if (env.JAVA_HOME) candidates.push(join(env.JAVA_HOME, 'bin', 'java'));
  candidates.push('java');
  for (const java of candidates) {
    const version = javaVersion(java);
    if (version !== undefined && javaMajor(version) >= MIN_JAVA_MAJOR) return java;
  }
  return undefined;
}

/** The Java to run, checked: a clear error naming what was found when it cannot run Kafka. */
export function requireJava(java: string | undefined): { java: string; version: string } {
  if (java === undefined) {
    throw new InfrastructureError(
      `No Java >= ${MIN_JAVA_MAJOR} found in JAVA_HOME or on PATH: the native Kafka broker needs one`,
    );
  }
  const version = javaVersion(java);
  if (version === undefined || javaMajor(version) < MIN_JAVA_MAJOR) {
    throw new InfrastructureError(
      `${java} reports Java ${version ?? '(unknown)'}; the native Kafka broker needs >= ${MIN_JAVA_MAJOR}`,
    );
  }
  return { java, version };
}
