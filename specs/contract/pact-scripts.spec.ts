// Protects what CI branches on when it runs the Pact scripts (pact:publish, pact:can-i-deploy,
// pact:record-deployment): the exit code is the error's class, as for ratings-kafka. A missing or wrong
// PACT_* setting exits 2, a Pact Broker that does not answer or refuses the credentials 3 (at once, not after
// the Pact CLI's minute of retries), a can-i-deploy "no" 1; the token never shows in any of their output.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../helpers/errors.ts';
import { type StandInOptions, startBrokerStandIn } from '../support/pact-broker-stand-in.ts';

/** A made-up token: if it shows up in any output, a script leaks secrets. */
const CANARY = `canary-${process.pid}-t0k3n-of-the-scripts`;
const SCRIPTS = ['publish', 'can-i-deploy', 'record-deployment'] as const;
type Script = (typeof SCRIPTS)[number];

interface Run {
  code: number;
  output: string;
}

/** Runs `node helpers/pact/<script>.ts` with only the settings given here (no PACT_* or CI variables inherited). */
function runScript(script: Script, env: Record<string, string>): Promise<Run> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(PACT_|GITHUB_)/.test(name)),
  ) as Record<string, string>;
  const path = fileURLToPath(new URL(`../../helpers/pact/${script}.ts`, import.meta.url));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path],
      { env: { ...inherited, PACT_BRANCH: 'main', ...env }, timeout: 50_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function runAgainstStandIn(script: Script, options: Partial<StandInOptions> = {}) {
  const broker = await startBrokerStandIn('accept', options);
  try {
    const run = await runScript(script, { PACT_BROKER_BASE_URL: broker.baseUrl, PACT_BROKER_TOKEN: CANARY });
    return { ...run, requests: broker.requests.map(({ method, url }) => `${method} ${url}`) };
  } finally {
    await broker[Symbol.asyncDispose]();
  }
}

describe.each(SCRIPTS)('the pact:%s script', (script) => {
  it('exits 2 naming PACT_BROKER_BASE_URL when it is unset', async () => {
    const run = await runScript(script, { PACT_BROKER_TOKEN: CANARY });
    expect(run.code, run.output).toBe(EXIT.usage);
    expect(run.output).toContain('PACT_BROKER_BASE_URL is not set');
    expect(run.output).not.toContain(CANARY);
  });

  it('exits 2 when PACT_BROKER_BASE_URL is not a URL', async () => {
    const run = await runScript(script, {
      PACT_BROKER_BASE_URL: 'broker.example',
      PACT_BROKER_TOKEN: CANARY,
    });
    expect(run.code, run.output).toBe(EXIT.usage);
    expect(run.output).toContain('PACT_BROKER_BASE_URL is not a URL');
  });

  it('exits 3 at once, naming the address, when nothing answers there', async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}`;
    const started = performance.now();
    const run = await runScript(script, { PACT_BROKER_BASE_URL: baseUrl, PACT_BROKER_TOKEN: CANARY });
    expect(run.code, run.output).toBe(EXIT.infrastructure);
    expect(run.output).toContain(
      `cannot reach the Pact Broker at PACT_BROKER_BASE_URL=${baseUrl} (ECONNREFUSED)`,
    );
    expect(run.output).not.toContain(CANARY);
    // The Pact CLI alone retries a refused connection for about 60 s before it exits 1.
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('exits 3 when the broker refuses the credentials, and never prints them', async () => {
    const run = await runAgainstStandIn(script, { refuseCredentials: true });
    expect(run.code, run.output).toBe(EXIT.infrastructure);
    expect(run.output).toContain('refused the credentials (HTTP 401)');
    expect(run.requests).toEqual(['GET /']);
    expect(run.output).not.toContain(CANARY);
  });
});

describe('the pact:can-i-deploy script', () => {
  it('exits 1, a failed check, when the broker says no', async () => {
    const run = await runAgainstStandIn('can-i-deploy', { deployable: false });
    expect(run.code, run.output).toBe(EXIT.checkFailed);
    expect(run.requests).toEqual(['GET /', expect.stringMatching(/^GET \/matrix\?/)]);
    expect(run.output).toContain('ratings-kafka may not be deployed to production');
    expect(run.output).not.toContain(CANARY);
  });

  it('exits 0 when the broker says yes', async () => {
    const run = await runAgainstStandIn('can-i-deploy', { deployable: true });
    expect(run.code, run.output).toBe(EXIT.ok);
    expect(run.output).toContain('Computer says yes');
  });
});

describe('the pact:record-deployment script', () => {
  it('exits 3 when the broker answers but does not record the deployment (no such version)', async () => {
    const run = await runAgainstStandIn('record-deployment');
    expect(run.code, run.output).toBe(EXIT.infrastructure);
    expect(run.output).toContain('the Pact Broker did not record the deployment');
    expect(run.output).not.toContain(CANARY);
  });
});
