// Contract releases: immutable copies of what consumers build against (each event's JSON Schema and Spark
// schemas, the topic specs as data, the AsyncAPI document), kept in the repository under
// contracts/releases/<semver>/ with a checksum manifest, so that an edited release is caught and a check
// never needs a registry, a Pact Broker or the git history (CI clones are shallow).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopicSpec } from '../../contracts/topics.ts';
import { TOPICS_FILE } from '../artefacts/generate.ts';
import { CheckFailedError, UsageError } from '../errors.ts';
import type { JsonSchema } from './schema-diff.ts';

/** Where releases live, relative to the repository root. */
export const RELEASES_DIR = 'contracts/releases';
/** The manifest of a release: its version and the SHA-256 of every file. */
export const MANIFEST_FILE = 'manifest.json';

/** The contract at one point: a release, the working tree, or a git ref. */
export interface ContractSnapshot {
  /** `1.0.0`, `working`, or `git:<ref>`. */
  version: string;
  /** Each event's JSON Schema, by title. */
  schemas: ReadonlyMap<string, JsonSchema>;
  topics: readonly TopicSpec[];
}

/** The manifest's shape. */
interface Manifest {
  version: string;
  files: Record<string, string>;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** The three numbers of a `MAJOR.MINOR.PATCH` version, or a {@link UsageError} naming it. */
export function parseVersion(version: string): [number, number, number] {
  const match = SEMVER.exec(version);
  if (!match) throw new UsageError(`release version "${version}" is not MAJOR.MINOR.PATCH (e.g. 1.1.0)`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Orders versions oldest first. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [parseVersion(a), parseVersion(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

const sha256 = (content: string): string => createHash('sha256').update(content).digest('hex');

/** A snapshot from artefact files (`name -> content`), as a release or the generator holds them. */
export function snapshotOf(version: string, files: ReadonlyMap<string, string>): ContractSnapshot {
  const schemas = new Map<string, JsonSchema>();
  for (const [name, content] of files) {
    if (!name.endsWith('.schema.json')) continue;
    const schema = JSON.parse(content) as JsonSchema;
    schemas.set(String(schema.title), schema);
  }
  const topicsFile = files.get(TOPICS_FILE);
  if (topicsFile === undefined) throw new CheckFailedError(`contract ${version} has no ${TOPICS_FILE}`);
  const topics = (JSON.parse(topicsFile) as { topics: TopicSpec[] }).topics;
  return { version, schemas, topics };
}

/** The versions released under `root`, oldest first. */
export function listReleases(root: string): string[] {
  const dir = join(root, RELEASES_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && SEMVER.test(entry.name))
    .map((entry) => entry.name)
    .sort(compareVersions);
}

/**
 * Every file of a release, checked against its manifest: a {@link CheckFailedError} names each file that
 * was edited, added or removed since the release was cut (a release is immutable: cut a new one).
 */
export function readRelease(root: string, version: string): Map<string, string> {
  const dir = join(root, RELEASES_DIR, version);
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath))
    throw new CheckFailedError(`release ${version} has no ${MANIFEST_FILE} in ${dir}`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const files = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    if (name !== MANIFEST_FILE) files.set(name, readFileSync(join(dir, name), 'utf8'));
  }
  const problems: string[] = [];
  if (manifest.version !== version) problems.push(`its manifest says version ${manifest.version}`);
  for (const [name, digest] of Object.entries(manifest.files)) {
    const content = files.get(name);
    if (content === undefined) problems.push(`${name} was removed`);
    else if (sha256(content) !== digest)
      problems.push(`${name} was edited (sha256 ${sha256(content)}, released ${digest})`);
  }
  for (const name of files.keys()) if (!(name in manifest.files)) problems.push(`${name} was added`);
  if (problems.length > 0) {
    throw new CheckFailedError(
      `release ${version} is not as released: ${problems.join('; ')}. A release never changes: restore it (git checkout -- ${RELEASES_DIR}/${version}) and cut a new one`,
    );
  }
  return files;
}

/** A release as a snapshot, checked against its manifest. */
export function loadRelease(root: string, version: string): ContractSnapshot {
  return snapshotOf(version, readRelease(root, version));
}

/**
 * Writes `files` as release `version`: refuses a version that exists or is not newer than the latest.
 * Returns the release's folder.
 */
export function writeRelease(root: string, version: string, files: ReadonlyMap<string, string>): string {
  parseVersion(version);
  const releases = listReleases(root);
  const dir = join(root, RELEASES_DIR, version);
  if (releases.includes(version) || existsSync(dir))
    throw new UsageError(
      `release ${version} already exists in ${RELEASES_DIR}: a release is never overwritten; cut a new version`,
    );
  const latest = releases.at(-1);
  if (latest !== undefined && compareVersions(version, latest) <= 0)
    throw new UsageError(`release ${version} is not newer than the latest release, ${latest}`);
  mkdirSync(dir, { recursive: true });
  const manifest: Manifest = { version, files: {} };
  for (const [name, content] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    writeFileSync(join(dir, name), content);
    manifest.files[name] = sha256(content);
  }
  writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}
