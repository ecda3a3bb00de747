// Protects where each pinned consumer's contract comes from: the release its pin in contracts/consumers.ts
// names, checked against the release's manifest before anything reads it. The Spark job is started with
// that folder (by the specs' runner and by `npm run spark:job`, which asks `ratings-kafka contracts pin`),
// never with the working contracts/generated/, and an edited, missing or incomplete release refuses to run.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CONSUMERS, pinOf } from '../../contracts/consumers.ts';
import { pinnedReader, pinnedRelease } from '../../helpers/compat/pins.ts';
import { RELEASES_DIR } from '../../helpers/compat/releases.ts';
import { CheckFailedError } from '../../helpers/errors.ts';
import { jsonOf, runCli } from '../support/cli.ts';
import { pinnedSparkContracts } from '../support/spark-job.ts';
import { loadFixtures } from './fixture-table.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SPARK = pinOf('spark-recommender');

/** A temporary repository holding a copy of the Spark pin's release, for `change` to damage. */
function copyOfSparkRelease(change: (dir: string) => void): string {
  const root = mkdtempSync(join(tmpdir(), 'consumer-pins-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, RELEASES_DIR, SPARK.release);
  cpSync(join(ROOT, RELEASES_DIR, SPARK.release), dir, { recursive: true });
  change(dir);
  return root;
}

describe('consumer pins', () => {
  it.each(CONSUMERS.map((pin) => [pin.name, pin] as const))(
    '%s reads the schemas of its pinned release, as released',
    (_name, pin) => {
      const pinned = pinnedRelease(ROOT, pin);
      expect(pinned.dir).toBe(join(ROOT, RELEASES_DIR, pin.release));
      expect([...pinned.schemas.keys()]).toEqual(pin.reads);
      for (const [title, schema] of pinned.schemas) {
        const file = `${title.replace(/Event$/, '').toLowerCase()}-event.schema.json`;
        expect(schema).toEqual(JSON.parse(readFileSync(join(pinned.dir, file), 'utf8')));
      }
    },
  );

  it('starts the Spark job with its pinned release folder, not contracts/generated', () => {
    expect(pinnedSparkContracts()).toBe(join(ROOT, RELEASES_DIR, SPARK.release));
  });

  it('refuses an edited release before the job starts, naming the file', () => {
    const root = copyOfSparkRelease((dir) => {
      const ddl = join(dir, 'rating-event.spark.ddl');
      writeFileSync(ddl, readFileSync(ddl, 'utf8').replace('`userId` INT ', '`userId` BIGINT '));
    });
    expect(() => pinnedSparkContracts(root)).toThrow(CheckFailedError);
    expect(() => pinnedSparkContracts(root)).toThrow(
      `release ${SPARK.release} is not as released: rating-event.spark.ddl was edited`,
    );
  });

  it('refuses a pin naming a release that does not exist', () => {
    expect(() => pinnedRelease(ROOT, { ...SPARK, release: '9.9.9' })).toThrow(
      `release 9.9.9 has no manifest.json`,
    );
  });

  it('refuses a pin reading an event its release does not hold', () => {
    expect(() => pinnedRelease(ROOT, { ...SPARK, reads: ['RatingEvent', 'ReviewEvent'] })).toThrow(
      `spark-recommender reads ReviewEvent, but its pinned release ${SPARK.release}`,
    );
  });

  it("builds each consumer's reader of its kind from the release: Spark's ignores an unknown field, the dashboard's strict one refuses it", () => {
    // The fixtures a tolerant reader accepts by dropping fields: the records strict and open readers split on.
    const withUnknownFields = (event: 'ratings' | 'metrics') =>
      loadFixtures(event).invalid.filter((fixture) => fixture.ignoredFields !== undefined);
    const spark = pinnedReader(pinnedRelease(ROOT, SPARK));
    const dashboard = pinnedReader(pinnedRelease(ROOT, pinOf('metrics-dashboard')));
    expect(withUnknownFields('ratings').length).toBeGreaterThan(0);
    for (const fixture of withUnknownFields('ratings'))
      expect(spark(Buffer.from(fixture.raw)), fixture.name).toMatchObject({
        ok: true,
        ignoredFields: fixture.ignoredFields,
      });
    expect(withUnknownFields('metrics').length).toBeGreaterThan(0);
    for (const fixture of withUnknownFields('metrics'))
      expect(dashboard(Buffer.from(fixture.raw)), fixture.name).toMatchObject({ ok: false, kind: 'schema' });
  });
});

describe('ratings-kafka contracts pin', () => {
  const env = { ...process.env };
  it('prints the verified folder of the pinned release, one line for scripts (run.sh), or the pin as JSON', async () => {
    const text = await runCli(['contracts', 'pin', SPARK.name], { env });
    expect(text).toMatchObject({ code: 0, stdout: `${join(ROOT, RELEASES_DIR, SPARK.release)}\n` });
    const json = await runCli(['contracts', 'pin', 'metrics-dashboard', '--json'], { env });
    expect(jsonOf(json)).toEqual({
      command: 'contracts pin',
      consumer: 'metrics-dashboard',
      release: pinOf('metrics-dashboard').release,
      reads: ['MetricEvent'],
      reader: 'strict',
      dir: join(ROOT, RELEASES_DIR, pinOf('metrics-dashboard').release),
    });
  });

  it('exits 2 for a consumer that has no pin, naming the known ones', async () => {
    const run = await runCli(['contracts', 'pin', 'spark'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'no consumer "spark" in contracts/consumers.ts: expected spark-recommender, metrics-dashboard',
    );
  });
});
