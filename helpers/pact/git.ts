// The version and branch a pacticipant is published under: the git commit and branch being built.

import { execFileSync } from 'node:child_process';
import { ConfigError } from '../errors.ts';

const git = (...args: string[]): string =>
  execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** The commit being built (`git rev-parse HEAD`): every pacticipant version is a commit. */
export function gitCommit(): string {
  return git('rev-parse', 'HEAD');
}

/**
 * The branch being built: PACT_BRANCH if set, else the pull request's source branch or the pushed branch
 * on GitHub Actions (whose pull request checkout is a detached merge commit), else `git branch --show-current`.
 */
export function gitBranch(env: NodeJS.ProcessEnv = process.env): string {
  const branch =
    env.PACT_BRANCH || env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || git('branch', '--show-current');
  if (!branch) throw new ConfigError('cannot tell the git branch (detached HEAD): set PACT_BRANCH');
  return branch;
}
