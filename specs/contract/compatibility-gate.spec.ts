// Protects the promise to consumers already deployed: every release in contracts/releases is exactly as
// released, and the working contract keeps faith with every release its events' modes and the consumers'
// pins name (the gate runs `ratings-kafka contracts check` as CI does). A release is never overwritten.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONSUMERS } from '../../contracts/consumers.ts';
import { PACT_CONSUMERS } from '../../contracts/pact.ts';
import { renderArtefacts } from '../../helpers/artefacts/generate.ts';
import { listReleases, RELEASES_DIR, readRelease, writeRelease } from '../../helpers/compat/releases.ts';
import { CheckFailedError, UsageError } from '../../helpers/errors.ts';
import { jsonOf, runCli } from '../support/cli.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'contract-releases-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('contract releases', () => {
  it('pins every Pact consumer, by its Pact name', () => {
    expect(CONSUMERS.map((pin) => pin.name)).toEqual([...PACT_CONSUMERS]);
  });

  it('holds 1.0.0 and every release every consumer pins', () => {
    const releases = listReleases(ROOT);
    expect(releases).toContain('1.0.0');
    for (const pin of CONSUMERS) expect(releases, pin.name).toContain(pin.release);
  });

  it.each(listReleases(ROOT))('keeps release %s byte for byte as released (its manifest)', (version) => {
    const files = readRelease(ROOT, version);
    expect([...files.keys()]).toEqual(
      expect.arrayContaining(['rating-event.schema.json', 'topics.json', 'asyncapi.json']),
    );
  });

  it('catches an edited, an added and a removed file in a release', () => {
    const root = join(scratch, 'edited');
    cpSync(join(ROOT, RELEASES_DIR), join(root, RELEASES_DIR), { recursive: true });
    const dir = join(root, RELEASES_DIR, '1.0.0');
    const schema = join(dir, 'rating-event.schema.json');
    writeFileSync(schema, readFileSync(schema, 'utf8').replace('138493', '162541'));
    writeFileSync(join(dir, 'extra.json'), '{}\n');
    rmSync(join(dir, 'asyncapi.json'));
    let thrown: unknown;
    try {
      readRelease(root, '1.0.0');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CheckFailedError);
    const message = (thrown as Error).message;
    expect(message).toContain('rating-event.schema.json was edited');
    expect(message).toContain('asyncapi.json was removed');
    expect(message).toContain('extra.json was added');
  });

  it('never overwrites a release, and refuses a version older than the latest', () => {
    const root = join(scratch, 'cut');
    const files = renderArtefacts();
    writeRelease(root, '1.0.0', files);
    expect(() => writeRelease(root, '1.0.0', files)).toThrow(UsageError);
    expect(() => writeRelease(root, '0.9.0', files)).toThrow(/not newer than the latest release, 1\.0\.0/);
    expect(() => writeRelease(root, 'v1.1', files)).toThrow(/not MAJOR\.MINOR\.PATCH/);
    writeRelease(root, '1.1.0', files);
    expect(listReleases(root)).toEqual(['1.0.0', '1.1.0']);
    expect(readRelease(root, '1.1.0').size).toBe(files.size);
  });
});

describe('ratings-kafka contracts check', () => {
  it('passes the working contract against its releases, exit 0, naming each release compared', async () => {
    const run = await runCli(['contracts', 'check', '--json'], {
      env: { ...process.env },
      timeoutMs: 30_000,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = jsonOf<{ ok: boolean; events: { event: string; mode: string; against: string[] }[] }>(run);
    expect(result.ok).toBe(true);
    expect(result.events.map((e) => [e.event, e.mode, e.against])).toEqual([
      ['MetricEvent', 'FULL_TRANSITIVE', listReleases(ROOT)],
      ['RatingEvent', 'FULL_TRANSITIVE', listReleases(ROOT)],
    ]);
  });

  it('refuses to cut an existing release with a usage error (exit 2)', async () => {
    const run = await runCli(['contracts', 'release', '1.0.0'], {
      env: { ...process.env },
      timeoutMs: 30_000,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('release 1.0.0 already exists');
  });
});
