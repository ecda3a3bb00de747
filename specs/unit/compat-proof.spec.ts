// Proves the compatibility check's verdicts on values, not only on shapes. For every release, what the
// working contract allows the release's decoders accept, and the other way round. For every named
// difference, on a mutation of a real release schema: where the check says a reader kind breaks in a
// direction, fast-check finds a record that reader refuses (printed, shrunk); where it says nothing breaks,
// none is found. A compatible verdict with a counterexample, or a breaking one without, fails here.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { READER_KINDS, type ReaderKind } from '../../contracts/compatibility.ts';
import { metricInvariants } from '../../contracts/metric.ts';
import { renderArtefacts } from '../../helpers/artefacts/generate.ts';
import type { Decoder } from '../../helpers/codec/decode.ts';
import { releaseReader } from '../../helpers/compat/release-reader.ts';
import { typeboxOf } from '../../helpers/compat/release-schema.ts';
import { listReleases, loadRelease, snapshotOf } from '../../helpers/compat/releases.ts';
import { diffSchemas, type JsonSchema } from '../../helpers/compat/schema-diff.ts';
import { arbitraryFor } from '../support/arbitraries.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const RUNS = 300;
const clone = (json: JsonSchema): JsonSchema => structuredClone(json);
const working = snapshotOf('working', renderArtefacts());
const release = loadRelease(ROOT, '1.0.0');
const RATING = release.schemas.get('RatingEvent') as JsonSchema;
const METRIC = release.schemas.get('MetricEvent') as JsonSchema;

const invariantsOf = (json: JsonSchema) => (json.title === 'MetricEvent' ? metricInvariants : undefined);

/** A decoder of `kind` built from `json`, as a consumer of that schema builds it. */
const readerOf = (json: JsonSchema, kind: ReaderKind): Decoder<unknown> =>
  releaseReader(json, kind, { maxBytes: 1 << 20, invariants: invariantsOf(json) as never });

/** The records a writer of `json` may send, edges included; an open top level also sends a field it does not declare. */
function recordsOf(json: JsonSchema): fc.Arbitrary<unknown> {
  const invariants = invariantsOf(json);
  let events = arbitraryFor(typeboxOf(json)).filter(
    (event) => invariants === undefined || invariants(event as never).length === 0,
  );
  if (json.additionalProperties !== false)
    events = events.chain((event) =>
      fc.integer().map((extra) => ({ ...(event as object), undeclaredByTheWriter: extra })),
    );
  return events;
}

/** A record the writer may send that the reader refuses, or undefined when fast-check finds none. */
function counterexample(writer: JsonSchema, reader: Decoder<unknown>): unknown {
  const result = fc.check(
    fc.property(recordsOf(writer), (event) => reader(Buffer.from(JSON.stringify(event))).ok),
    { numRuns: RUNS },
  );
  return result.failed ? (result.counterexample?.[0] ?? null) : undefined;
}

describe('every release against the working contract, on values', () => {
  for (const version of listReleases(ROOT)) {
    const old = loadRelease(ROOT, version);
    for (const [event, schema] of working.schemas) {
      const released = old.schemas.get(event) as JsonSchema;
      it.each(READER_KINDS)(
        `${event}: ${version}'s and the working %s readers accept each other's records`,
        (kind) => {
          expect(counterexample(schema, readerOf(released, kind)), 'forward').toBeUndefined();
          expect(counterexample(released, readerOf(schema, kind)), 'backward').toBeUndefined();
        },
      );
    }
  }
});

type Props = Record<string, JsonSchema>;
const props = (json: JsonSchema): Props => json.properties as Props;

/** A mutation of a release schema and the differences the check must name for it. */
interface Mutation {
  name: string;
  base: JsonSchema;
  mutate: (json: JsonSchema) => void;
  rules: string[];
}

const MUTATIONS: Mutation[] = [
  {
    name: 'userId maximum raised',
    base: RATING,
    mutate: (j) => {
      props(j).userId!.maximum = 162_541;
    },
    rules: ['MAXIMUM_INCREASED /userId'],
  },
  {
    name: 'movieId maximum lowered',
    base: RATING,
    mutate: (j) => {
      props(j).movieId!.maximum = 27_278;
    },
    rules: ['MAXIMUM_DECREASED /movieId'],
  },
  {
    name: 'movieId minimum raised',
    base: RATING,
    mutate: (j) => {
      props(j).movieId!.minimum = 10;
    },
    rules: ['MINIMUM_INCREASED /movieId'],
  },
  {
    name: 'rating minimum lowered',
    base: RATING,
    mutate: (j) => {
      props(j).rating!.minimum = 0;
    },
    rules: ['MINIMUM_DECREASED /rating'],
  },
  {
    name: 'rating grid 0.5 -> 0.25',
    base: RATING,
    mutate: (j) => {
      props(j).rating!.multipleOf = 0.25;
    },
    rules: ['MULTIPLE_OF_REDUCED /rating'],
  },
  {
    // Finer on paper, yet readers compute the step in floating point: 1.5 % 0.1 is 0.0999..., not 0.
    name: 'rating grid 0.5 -> 0.1 (every old rating on the new grid on paper, not as readers compute)',
    base: RATING,
    mutate: (j) => {
      props(j).rating!.multipleOf = 0.1;
    },
    rules: ['MULTIPLE_OF_REDUCED /rating'],
  },
  {
    name: 'rating grid 0.5 -> 1',
    base: RATING,
    mutate: (j) => {
      props(j).rating!.multipleOf = 1;
    },
    rules: ['MINIMUM_INCREASED /rating', 'MULTIPLE_OF_EXPANDED /rating'],
  },
  {
    name: 'rating grid 0.5 -> 0.3 (the bounds move onto the new grid)',
    base: RATING,
    mutate: (j) => {
      props(j).rating!.multipleOf = 0.3;
    },
    rules: ['MINIMUM_INCREASED /rating', 'MAXIMUM_DECREASED /rating', 'MULTIPLE_OF_CHANGED /rating'],
  },
  {
    name: 'movieId integer -> number',
    base: RATING,
    mutate: (j) => {
      props(j).movieId!.type = 'number';
    },
    rules: ['TYPE_EXTENDED /movieId'],
  },
  {
    name: 'rating number -> integer',
    base: RATING,
    mutate: (j) => {
      props(j).rating!.type = 'integer';
    },
    rules: ['TYPE_NARROWED /rating', 'MINIMUM_INCREASED /rating'],
  },
  {
    name: 'optional field added',
    base: RATING,
    mutate: (j) => {
      props(j).source = { type: 'string', maxLength: 8, pattern: '^[a-z]+$' };
    },
    rules: ['OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL /source'],
  },
  {
    name: 'required field added',
    base: RATING,
    mutate: (j) => {
      props(j).source = { type: 'string', maxLength: 8, pattern: '^[a-z]+$' };
      (j.required as string[]).push('source');
    },
    rules: ['REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL /source'],
  },
  {
    name: 'required field removed',
    base: RATING,
    mutate: (j) => {
      delete props(j).timestamp;
      j.required = (j.required as string[]).filter((name) => name !== 'timestamp');
    },
    rules: ['PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL /timestamp'],
  },
  {
    name: 'field made optional',
    base: RATING,
    mutate: (j) => {
      j.required = (j.required as string[]).filter((name) => name !== 'timestamp');
    },
    rules: ['REQUIRED_ATTRIBUTE_REMOVED /timestamp'],
  },
  {
    name: 'content model opened',
    base: RATING,
    mutate: (j) => {
      j.additionalProperties = true;
    },
    rules: ['ADDITIONAL_PROPERTIES_ADDED /'],
  },
  {
    name: 'description changed',
    base: RATING,
    mutate: (j) => {
      props(j).movieId!.description = 'movies.csv id';
    },
    rules: ['DESCRIPTION_CHANGED /movieId'],
  },
  {
    name: 'tags made required',
    base: METRIC,
    mutate: (j) => {
      (j.required as string[]).push('tags');
    },
    rules: ['REQUIRED_ATTRIBUTE_ADDED /tags'],
  },
  {
    name: 'unit gains a member',
    base: METRIC,
    mutate: (j) => {
      (props(j).unit!.anyOf as JsonSchema[]).push({ type: 'string', const: 'bytes' });
    },
    rules: ['ENUM_ARRAY_EXTENDED /unit'],
  },
  {
    name: 'unit loses a member',
    base: METRIC,
    mutate: (j) => {
      props(j).unit!.anyOf = (props(j).unit!.anyOf as JsonSchema[]).filter((m) => m.const !== 'stars');
    },
    rules: ['ENUM_ARRAY_NARROWED /unit'],
  },
  {
    name: 'unit member replaced',
    base: METRIC,
    mutate: (j) => {
      props(j).unit!.anyOf = (props(j).unit!.anyOf as JsonSchema[]).map((m) =>
        m.const === 'stars' ? { ...m, const: 'bytes' } : m,
      );
    },
    rules: ['ENUM_ARRAY_CHANGED /unit'],
  },
  {
    name: 'name shortened',
    base: METRIC,
    mutate: (j) => {
      props(j).name!.maxLength = 4;
    },
    rules: ['MAX_LENGTH_DECREASED /name'],
  },
  {
    name: 'name given a minimum length',
    base: METRIC,
    mutate: (j) => {
      props(j).name!.minLength = 6;
    },
    rules: ['MIN_LENGTH_ADDED /name'],
  },
  {
    name: 'source pattern changed to a disjoint one',
    base: METRIC,
    mutate: (j) => {
      props(j).source!.pattern = '^[A-Z][A-Z0-9-]*$';
    },
    rules: ['PATTERN_CHANGED /source'],
  },
  {
    name: 'a nested bound lowered',
    base: METRIC,
    mutate: (j) => {
      props(props(j).window!).endMs!.maximum = 2_000_000_000_000;
    },
    rules: ['MAXIMUM_DECREASED /window/endMs'],
  },
  {
    name: 'a nested optional field added',
    base: METRIC,
    mutate: (j) => {
      props(props(j).window!).note = { type: 'string', maxLength: 4, pattern: '^[a-z]+$' };
    },
    rules: ['OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL /window/note'],
  },
];

describe('each named difference, proven on values', () => {
  for (const mutation of MUTATIONS) {
    const after = clone(mutation.base);
    mutation.mutate(after);
    const changes = diffSchemas(mutation.base, after);
    it(`${mutation.name}: named ${mutation.rules.join(', ')}`, () => {
      expect(changes.map((c) => `${c.rule} ${c.path}`)).toEqual(mutation.rules);
    });
    const breaks = (direction: 'backward' | 'forward') => new Set(changes.flatMap((c) => c[direction]));
    it.each(READER_KINDS)(`${mutation.name}: the %s reader's verdicts hold on values`, (kind) => {
      // backward: the new reader reads what the old writer sent; forward: the old reader, the new writer's.
      const backward = counterexample(mutation.base, readerOf(after, kind));
      const forward = counterexample(after, readerOf(mutation.base, kind));
      for (const [direction, found] of [
        ['backward', backward],
        ['forward', forward],
      ] as const) {
        const claim = breaks(direction).has(kind);
        if (found !== undefined)
          console.log(`[proof] ${mutation.name}, ${kind} ${direction}: ${JSON.stringify(found)}`);
        expect(
          found !== undefined,
          `${direction}: the check says ${claim ? 'breaks' : 'compatible'}; counterexample ${JSON.stringify(found)}`,
        ).toBe(claim);
      }
    });
  }
});
