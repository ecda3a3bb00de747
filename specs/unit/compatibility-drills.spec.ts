// Protects the compatibility verdicts a person acts on: the two drills that once passed the gate (a
// userId widening and a movieId narrowing), the safe changes that must pass, a change that breaks only
// strict readers, every topic change's safety class, and which releases each mode compares with.
import { describe, expect, it } from 'vitest';
import { CONSUMERS } from '../../contracts/consumers.ts';
import { RATINGS_TOPIC } from '../../contracts/topics.ts';
import { renderArtefacts, TOPICS_FILE } from '../../helpers/artefacts/generate.ts';
import { checkCompatibility, releasesToCheck } from '../../helpers/compat/check.ts';
import { type ContractSnapshot, loadRelease, snapshotOf } from '../../helpers/compat/releases.ts';
import { formatCheck, formatGithubAnnotations } from '../../helpers/compat/report.ts';
import type { JsonSchema } from '../../helpers/compat/schema-diff.ts';
import { diffTopic } from '../../helpers/compat/topic-diff.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const RELEASE = loadRelease(ROOT, '1.0.0');

type Files = Map<string, string>;

/** The working contract with `edit` applied to one generated file's JSON. */
function workingWith(edits: Record<string, (json: JsonSchema) => void>): ContractSnapshot {
  const files: Files = new Map(renderArtefacts());
  for (const [name, edit] of Object.entries(edits)) {
    const json = JSON.parse(files.get(name) as string) as JsonSchema;
    edit(json);
    files.set(name, JSON.stringify(json));
  }
  return snapshotOf('working', files);
}

const props = (json: JsonSchema) => json.properties as Record<string, JsonSchema>;
const topics = (json: JsonSchema) =>
  json.topics as {
    name: string;
    partitions: number;
    replicationFactor: number;
    config: Record<string, string>;
  }[];
const ratingsTopic = (json: JsonSchema) => topics(json).find((t) => t.name === 'ratings')!;

function changesOf(working: ContractSnapshot, event: string) {
  const result = checkCompatibility(working, [RELEASE]);
  return { result, changes: result.events.find((v) => v.event === event)!.changes };
}

describe('contract compatibility check', () => {
  it('finds nothing between the working contract and 1.0.0 today', () => {
    const result = checkCompatibility(snapshotOf('working', renderArtefacts()), [RELEASE]);
    expect(result.ok).toBe(true);
    expect(result.events.flatMap((v) => v.changes)).toEqual([]);
    expect(result.topics).toEqual([]);
  });

  it('judges the userId widening to 162,541 forward-breaking for every reader built from 1.0.0', () => {
    const { result, changes } = changesOf(
      workingWith({
        'rating-event.schema.json': (j) => {
          props(j).userId!.maximum = 162_541;
        },
      }),
      'RatingEvent',
    );
    expect(result.ok).toBe(false);
    expect(changes).toEqual([
      expect.objectContaining({
        rule: 'MAXIMUM_INCREASED',
        path: '/userId',
        old: 'maximum 138493',
        new: 'maximum 162541',
        forward: ['strict', 'tolerant', 'spark'],
        backward: [],
        breaking: true,
        brokenConsumers: ['spark-recommender@1.0.0'],
      }),
    ]);
    expect(formatCheck(result)).toContain('FAIL: 1 breaking change(s)');
    expect(formatGithubAnnotations(result)).toMatch(
      /^::error file=contracts\/rating\.ts,title=RatingEvent MAXIMUM_INCREASED::\/userId%3A|^::error file=contracts\/rating\.ts,title=RatingEvent MAXIMUM_INCREASED::\/userId: /,
    );
  });

  it('judges the movieId narrowing to 27,278 backward-breaking: retained ratings above it are refused', () => {
    const { result, changes } = changesOf(
      workingWith({
        'rating-event.schema.json': (j) => {
          props(j).movieId!.maximum = 27_278;
        },
      }),
      'RatingEvent',
    );
    expect(result.ok).toBe(false);
    expect(changes).toEqual([
      expect.objectContaining({
        rule: 'MAXIMUM_DECREASED',
        path: '/movieId',
        backward: ['strict', 'tolerant', 'spark'],
        forward: [],
        breaking: true,
        brokenConsumers: [],
      }),
    ]);
  });

  it('passes a description change, listing it as compatible', () => {
    const { result, changes } = changesOf(
      workingWith({
        'rating-event.schema.json': (j) => {
          props(j).movieId!.description = 'MovieLens movie id (movies.csv)';
        },
      }),
      'RatingEvent',
    );
    expect(result.ok).toBe(true);
    expect(changes).toEqual([
      expect.objectContaining({ rule: 'DESCRIPTION_CHANGED', path: '/movieId', breaking: false }),
    ]);
    expect(formatCheck(result)).toMatch(/OK: nothing breaking; 1 compatible change\(s\)$/);
  });

  it('passes a compression change of a topic, listing it as compatible', () => {
    const result = checkCompatibility(
      workingWith({
        [TOPICS_FILE]: (j) => {
          topics(j).find((t) => t.name === 'metrics')!.config['compression.type'] = 'zstd';
        },
      }),
      [RELEASE],
    );
    expect(result.ok).toBe(true);
    expect(result.topics).toEqual([
      expect.objectContaining({
        rule: 'COMPRESSION_CHANGED',
        topic: 'metrics',
        old: 'gzip',
        new: 'zstd',
        safety: 'compatible',
        breaking: false,
      }),
    ]);
  });

  it('reports an added optional field as breaking strict readers of 1.0.0 only', () => {
    const { result, changes } = changesOf(
      workingWith({
        'rating-event.schema.json': (j) => {
          props(j).source = { type: 'string', maxLength: 32 };
        },
      }),
      'RatingEvent',
    );
    expect(result.ok).toBe(false);
    expect(changes).toEqual([
      expect.objectContaining({
        rule: 'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
        path: '/source',
        forward: ['strict'],
        backward: [],
        breaking: true,
        // The Spark job ignores unknown fields: the pinned consumer is not among the broken.
        brokenConsumers: [],
      }),
    ]);
  });

  it('judges a required field added as breaking every new reader of retained data and strict old readers', () => {
    const { changes } = changesOf(
      workingWith({
        'rating-event.schema.json': (j) => {
          props(j).source = { type: 'string' };
          (j.required as string[]).push('source');
        },
      }),
      'RatingEvent',
    );
    expect(changes).toEqual([
      expect.objectContaining({
        rule: 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
        backward: ['strict', 'tolerant', 'spark'],
        forward: ['strict'],
      }),
    ]);
  });

  it('judges topic changes between releases: partitions, retention, cleanup, replication', () => {
    const result = checkCompatibility(
      workingWith({
        [TOPICS_FILE]: (j) => {
          const ratings = ratingsTopic(j);
          ratings.partitions = 6;
          ratings.replicationFactor = 3;
          ratings.config['retention.ms'] = String(24 * 3_600_000);
          ratings.config['min.insync.replicas'] = '2';
          topics(j).find((t) => t.name === 'metrics')!.config['cleanup.policy'] = 'compact';
        },
      }),
      [RELEASE],
    );
    const verdicts = Object.fromEntries(
      result.topics.map((t) => [`${t.topic} ${t.rule}`, [t.safety, t.breaking]]),
    );
    expect(verdicts).toEqual({
      'ratings PARTITIONS_INCREASED': ['breaking', true],
      'ratings REPLICATION_FACTOR_CHANGED': ['operational', false],
      'ratings RETENTION_DECREASED': ['breaking-for-replay', true],
      'ratings MIN_INSYNC_REPLICAS_CHANGED': ['operational', false],
      'metrics CLEANUP_POLICY_CHANGED': ['breaking', true],
    });
    expect(result.ok).toBe(false);
  });

  it('refuses fewer partitions as impossible, and judges more on an unkeyed topic compatible', () => {
    expect(diffTopic(RATINGS_TOPIC, { ...RATINGS_TOPIC, partitions: 2 })).toEqual([
      expect.objectContaining({ rule: 'PARTITIONS_DECREASED', safety: 'impossible' }),
    ]);
    const unkeyed = { ...RATINGS_TOPIC, key: null };
    expect(diffTopic(unkeyed, { ...unkeyed, partitions: 6 })).toEqual([
      expect.objectContaining({ rule: 'PARTITIONS_INCREASED', safety: 'compatible' }),
    ]);
    expect(
      diffTopic(RATINGS_TOPIC, { ...RATINGS_TOPIC, key: { description: 'movieId', pattern: '^[0-9]+$' } }),
    ).toEqual([expect.objectContaining({ rule: 'KEY_CHANGED', safety: 'breaking' })]);
    // A live cluster knows no key rule: the contract's side says the topic is keyed.
    const { key: _key, description: _description, ...live } = RATINGS_TOPIC;
    expect(diffTopic(live, { ...RATINGS_TOPIC, partitions: 4 })).toEqual([
      expect.objectContaining({ rule: 'PARTITIONS_INCREASED', safety: 'breaking' }),
    ]);
  });
});

describe('which releases an event is checked against', () => {
  const release = (version: string): ContractSnapshot => ({ ...RELEASE, version });
  const line = ['1.0.0', '1.1.0', '1.2.0', '2.0.0', '2.1.0'].map(release);

  it('compares a _TRANSITIVE mode with every release of the latest major line, and the pinned ones', () => {
    expect(releasesToCheck('RatingEvent', 'FULL_TRANSITIVE', line, [])).toEqual(['2.0.0', '2.1.0']);
    expect(releasesToCheck('RatingEvent', 'FULL_TRANSITIVE', line, CONSUMERS)).toEqual([
      '1.0.0',
      '2.0.0',
      '2.1.0',
    ]);
  });

  it('compares a plain mode with the latest release and the pinned ones; NONE with none', () => {
    expect(releasesToCheck('RatingEvent', 'BACKWARD', line, [])).toEqual(['2.1.0']);
    expect(releasesToCheck('MetricEvent', 'FORWARD', line, CONSUMERS)).toEqual(['1.0.0', '2.1.0']);
    expect(releasesToCheck('RatingEvent', 'NONE', line, CONSUMERS)).toEqual([]);
  });

  it('does not count a forward-only break against a BACKWARD event, but still shows it', () => {
    const working = workingWith({
      'rating-event.schema.json': (j) => {
        props(j).userId!.maximum = 162_541;
      },
    });
    const backwardOnly = { mode: 'BACKWARD', why: 'consumers upgrade first' } as const;
    const modes = { RatingEvent: backwardOnly, MetricEvent: backwardOnly };
    const result = checkCompatibility(working, [RELEASE], { modes });
    expect(result.ok).toBe(true);
    const [change] = result.events.find((v) => v.event === 'RatingEvent')!.changes;
    expect(change).toMatchObject({
      rule: 'MAXIMUM_INCREASED',
      forward: ['strict', 'tolerant', 'spark'],
      breaking: false,
    });
    expect(formatCheck(result)).toContain('[not checked by BACKWARD]');
    // The same change under FULL_TRANSITIVE (the declared mode) fails.
    expect(checkCompatibility(working, [RELEASE]).ok).toBe(false);
  });
});
