// Protects publishing: `npm run pact:publish`, run for real against a local stand-in for the Pact Broker,
// sends every pact in pacts/ under the commit and branch being built, authenticates with the token from the
// environment, and never prints that token, even when the broker echoes it back.
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACT_CONSUMERS, PACT_DIR, PACT_PROVIDER } from '../../contracts/pact.ts';
import { type PublishBehaviour, startBrokerStandIn } from '../support/pact-broker-stand-in.ts';

/** A made-up token: if it shows up in any output, the script leaks secrets. */
const CANARY = `canary-${process.pid}-c4n4ry-t0k3n`;
const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
const LIVE_BROKER = process.env.PACT_BROKER_BASE_URL;
if (!LIVE_BROKER) console.info('[skip] publishing to a live Pact Broker: PACT_BROKER_BASE_URL is not set');

interface Run {
  code: number;
  output: string;
}

/** Runs `npm run pact:publish` as a subprocess, with only the settings given here (and no CI variables). */
function publish(env: Record<string, string>): Promise<Run> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(PACT_|GITHUB_)/.test(name)),
  ) as Record<string, string>;
  return new Promise((resolve) => {
    execFile('npm', ['run', 'pact:publish'], { env: { ...inherited, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}` });
    });
  });
}

/**
 * The CLI loads each pact and writes it again with its own Pact models library, which stamps its version
 * into `metadata.pactRust`: everything else must arrive exactly as in the file.
 */
function withoutWriterStamp(pact: { metadata?: Record<string, unknown> }): unknown {
  const { pactRust, ...metadata } = pact.metadata ?? {};
  expect(pactRust, 'the pact names the Pact library that wrote it').toMatchObject({
    models: expect.any(String),
  });
  return { ...pact, metadata };
}

async function publishTo(behaviour: PublishBehaviour, extra: Record<string, string> = {}) {
  const broker = await startBrokerStandIn(behaviour);
  try {
    const run = await publish({ PACT_BROKER_BASE_URL: broker.baseUrl, PACT_BROKER_TOKEN: CANARY, ...extra });
    return { ...run, requests: broker.requests };
  } finally {
    await broker[Symbol.asyncDispose]();
  }
}

describe('npm run pact:publish', () => {
  it('publishes every pact in pacts/ as the commit and branch being built, with the bearer token', async () => {
    // On a detached checkout (a pull request on CI) there is no branch to read: PACT_BRANCH names it.
    const branch = git('branch', '--show-current') || 'detached-head';
    const before = git('rev-parse', 'HEAD');
    const run = await publishTo('accept', {
      ...(git('branch', '--show-current') ? {} : { PACT_BRANCH: branch }),
      GITHUB_SERVER_URL: 'https://git.example',
      GITHUB_REPOSITORY: 'movielens/kafka-contracts',
      GITHUB_RUN_ID: '42',
    });
    // Other work may commit while the script runs: the version is the commit of either moment.
    const commits = [before, git('rev-parse', 'HEAD')];

    expect(run.code, run.output).toBe(0);
    // The script's own probe of the index, then the CLI's.
    expect(run.requests.map(({ method, url }) => `${method} ${url}`)).toEqual([
      'GET /',
      'GET /',
      ...PACT_CONSUMERS.map(() => 'POST /contracts/publish'),
    ]);
    for (const request of run.requests) expect(request.headers.authorization).toBe(`Bearer ${CANARY}`);

    const files = readdirSync(PACT_DIR).filter((name) => name.endsWith('.json'));
    const published = run.requests
      .filter((request) => request.method === 'POST')
      .map((request) => JSON.parse(request.body));
    expect(published.map((body) => body.pacticipantName).sort()).toEqual([...PACT_CONSUMERS].sort());
    for (const body of published) {
      expect(commits).toContain(body.pacticipantVersionNumber);
      expect(body).toMatchObject({
        branch,
        buildUrl: 'https://git.example/movielens/kafka-contracts/actions/runs/42',
        contracts: [
          {
            consumerName: body.pacticipantName,
            providerName: PACT_PROVIDER,
            specification: 'pact',
            contentType: 'application/json',
          },
        ],
      });
      const file = files.find((name) => name === `${body.pacticipantName}-${PACT_PROVIDER}.json`);
      expect(file, `pact file of ${body.pacticipantName}`).toBeDefined();
      const content = JSON.parse(Buffer.from(body.contracts[0].content, 'base64').toString('utf8'));
      expect(withoutWriterStamp(content)).toEqual(
        withoutWriterStamp(JSON.parse(readFileSync(join(PACT_DIR, file ?? ''), 'utf8'))),
      );
    }
    expect(run.output).not.toContain(CANARY);
  });

  it('redacts the token when the broker echoes it back in an error, and fails (exit 3)', async () => {
    const run = await publishTo('echo-authorization-as-error', { PACT_BRANCH: 'main' });
    expect(run.code, run.output).toBe(3);
    expect(run.output).toContain('Bearer ***');
    expect(run.output).not.toContain(CANARY);
  });

  it('fails with a message naming PACT_BROKER_BASE_URL when it is unset (exit 2, a configuration error)', async () => {
    const run = await publish({ PACT_BROKER_TOKEN: CANARY });
    expect(run.code).toBe(2);
    expect(run.output).toContain('PACT_BROKER_BASE_URL is not set');
    expect(run.output).not.toContain(CANARY);
  });
});

const ON_BROKER = 'the Pact Broker at PACT_BROKER_BASE_URL';
describe.skipIf(!LIVE_BROKER)(
  LIVE_BROKER ? ON_BROKER : `${ON_BROKER} (skipped: PACT_BROKER_BASE_URL is not set)`,
  () => {
    it('offers the contract-publication API the stand-in mimics (pb:publish-contracts in its index)', async () => {
      const {
        PACT_BROKER_TOKEN: token,
        PACT_BROKER_USERNAME: user,
        PACT_BROKER_PASSWORD: password,
      } = process.env;
      const authorization = token
        ? `Bearer ${token}`
        : password
          ? `Basic ${Buffer.from(`${user ?? ''}:${password}`).toString('base64')}`
          : undefined;
      const response = await fetch(new URL('/', LIVE_BROKER), {
        headers: { accept: 'application/hal+json', ...(authorization ? { authorization } : {}) },
      });
      expect(response.status).toBe(200);
      const index = (await response.json()) as { _links: Record<string, { href: string }> };
      expect(index._links['pb:publish-contracts']?.href).toMatch(/\/contracts\/publish$/);
    });
  },
);
