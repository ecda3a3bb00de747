// The contract to compare with the releases: the working tree's (rendered from contracts/ by the artefact
// generator, so nothing is read from a possibly stale contracts/generated/), or the one committed at a
// git ref, as `buf breaking --against '.git#tag=v1.0.0'` does.
import { execFileSync } from 'node:child_process';
import { GENERATED_DIR, renderArtefacts } from '../artefacts/generate.ts';
import { UsageError } from '../errors.ts';
import { type ContractSnapshot, snapshotOf } from './releases.ts';

/** The working contract. */
export function workingSnapshot(): ContractSnapshot {
  return snapshotOf('working', renderArtefacts());
}

/** The generated artefacts committed at `ref` (a tag, branch or commit), or a {@link UsageError} saying why not. */
export function gitSnapshot(root: string, ref: string): ContractSnapshot {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  let names: string[];
  try {
    git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
    names = git('ls-tree', '--name-only', ref, `${GENERATED_DIR}/`).split('\n').filter(Boolean);
  } catch {
    throw new UsageError(
      `--against-ref: git ref "${ref}" is not in this clone (a shallow clone has no history: git fetch --depth=1 origin ${ref}, or compare with the in-tree releases)`,
    );
  }
  const files = new Map<string, string>();
  for (const path of names) files.set(path.slice(GENERATED_DIR.length + 1), git('show', `${ref}:${path}`));
  if (!files.has('topics.json'))
    throw new UsageError(
      `--against-ref: ${ref} predates contracts/generated/topics.json; compare with a release instead`,
    );
  return snapshotOf(`git:${ref}`, files);
}
