// fast-check arbitraries read off the TypeBox contracts, so a schema change moves what the properties explore
// without anyone editing a generator. Only fast-check's own randomness is used: a seed replays a run.
import {
  Kind,
  type TInteger,
  type TNumber,
  type TObject,
  type TRecord,
  type TSchema,
  type TString,
  TypeGuard,
} from '@sinclair/typebox';
import fc from 'fast-check';
import { METRIC_MAX_BYTES, MetricEvent, metricInvariants } from '../../contracts/metric.ts';
import { RATING_MAX_BYTES, RatingEvent } from '../../contracts/rating.ts';

/** At most this many keys in a generated record, so a valid event stays within its contract's byte limit. */
export const RECORD_MAX_KEYS = 5;

/** How a field was moved out of its domain. */
export type Breakage =
  | 'wrong type'
  | 'below minimum'
  | 'above maximum'
  | 'off grid'
  | 'not an integer'
  | 'unsafe integer'
  | 'not matching pattern'
  | 'too long'
  | 'not a member'
  | 'missing'
  | 'unknown field';

/** An event with exactly one field out of its domain; `field` is dotted like decoder messages (`window.endMs`). */
export interface BrokenEvent {
  event: Record<string, unknown>;
  field: string;
  breakage: Breakage;
}

/** Every value the schema accepts; throws on a construct the walker does not know, so it cannot silently drift. */
export function arbitraryFor(schema: TSchema): fc.Arbitrary<unknown> {
  if (TypeGuard.IsInteger(schema)) {
    const [low, high] = integerBounds(schema);
    return integerBetween(low, high);
  }
  if (TypeGuard.IsNumber(schema)) return numberArbitrary(schema);
  if (TypeGuard.IsString(schema)) return stringArbitrary(schema);
  if (TypeGuard.IsLiteral(schema)) return fc.constant(schema.const);
  if (TypeGuard.IsUnion(schema)) return fc.oneof(...schema.anyOf.map(arbitraryFor));
  if (TypeGuard.IsObject(schema)) {
    const entries = Object.entries(schema.properties);
    return fc.record(Object.fromEntries(entries.map(([key, child]) => [key, arbitraryFor(child)])), {
      requiredKeys: entries.filter(([, child]) => !TypeGuard.IsOptional(child)).map(([key]) => key),
      noNullPrototype: true,
    });
  }
  if (TypeGuard.IsRecord(schema)) {
    const [keyPattern, valueSchema] = recordEntry(schema);
    return fc.dictionary(fc.stringMatching(new RegExp(keyPattern)), arbitraryFor(valueSchema), {
      maxKeys: RECORD_MAX_KEYS,
      noNullPrototype: true,
    });
  }
  throw new Error(`no arbitrary for a schema of kind ${String(schema[Kind])}`);
}

/** Valid rating events, as our producer may send them. */
export function validRating(): fc.Arbitrary<RatingEvent> {
  return validEvent<RatingEvent>(RatingEvent, RATING_MAX_BYTES);
}

/** Valid metric events: the schema, the cross-field invariants (window end >= start) and the byte limit. */
export function validMetric(): fc.Arbitrary<MetricEvent> {
  return validEvent<MetricEvent>(MetricEvent, METRIC_MAX_BYTES, metricInvariants);
}

/** A valid rating with exactly one field moved out of its domain, each way the schema allows. */
export function ratingWithOneFieldBroken(): fc.Arbitrary<BrokenEvent> {
  return withOneFieldBroken(RatingEvent, validRating(), RATING_MAX_BYTES);
}

/** A valid metric with exactly one field (possibly nested) moved out of its domain. */
export function metricWithOneFieldBroken(): fc.Arbitrary<BrokenEvent> {
  return withOneFieldBroken(MetricEvent, validMetric(), METRIC_MAX_BYTES);
}

/** Breaks one field of `valid` events, uniformly over the breakages `schema` allows, within `maxBytes`. */
export function withOneFieldBroken(
  schema: TObject,
  valid: fc.Arbitrary<unknown>,
  maxBytes: number,
): fc.Arbitrary<BrokenEvent> {
  const edits = editsFor(schema, [], true);
  return (
    fc
      .tuple(valid, fc.oneof(...edits))
      .map(([event, edit]) => ({
        event: applyEdit(event, edit),
        field: edit.path.join('.'),
        breakage: edit.breakage,
      }))
      // Within the byte limit, so the decoder judges the broken field rather than the size.
      .filter(({ event }) => Buffer.byteLength(JSON.stringify(event)) <= maxBytes)
  );
}

function validEvent<T>(
  schema: TObject,
  maxBytes: number,
  invariants: (event: T) => unknown[] = () => [],
): fc.Arbitrary<T> {
  return (arbitraryFor(schema) as fc.Arbitrary<T>).filter(
    (event) => invariants(event).length === 0 && Buffer.byteLength(JSON.stringify(event)) <= maxBytes,
  );
}

const MISSING = Symbol('missing');

interface Edit {
  path: string[];
  breakage: Breakage;
  value: unknown;
}

// Keeps `n + j / 1024` exact: a double has 53 bits, so the integer part must leave room for the fraction.
const EXACT_FRACTION_LIMIT = 2 ** 40;
// The grid index k of `k * step` stays well inside the exact range of a double.
const GRID_INDEX_LIMIT = 2 ** 50;
const JAVA_LONG_MAX = 2n ** 63n - 1n;

function editsFor(schema: TSchema, path: string[], root = false): fc.Arbitrary<Edit>[] {
  const at = (breakage: Breakage, value: fc.Arbitrary<unknown>) =>
    value.map((broken): Edit => ({ path, breakage, value: broken }));
  // The root is the record value itself: its wrong types are the decoder's `not-object`, not a field error.
  const edits = root ? [] : [at('wrong type', wrongType(schema))];

  if (TypeGuard.IsInteger(schema)) {
    const [low, high] = integerBounds(schema);
    if (low > Number.MIN_SAFE_INTEGER)
      edits.push(at('below minimum', integerBetween(Number.MIN_SAFE_INTEGER, low - 1)));
    if (high < Number.MAX_SAFE_INTEGER)
      edits.push(at('above maximum', integerBetween(high + 1, Number.MAX_SAFE_INTEGER)));
    const fractionLow = Math.max(low, -EXACT_FRACTION_LIMIT);
    const fractionHigh = Math.min(high - 1, EXACT_FRACTION_LIMIT);
    if (fractionLow <= fractionHigh) {
      edits.push(
        at(
          'not an integer',
          fc
            .tuple(integerBetween(fractionLow, fractionHigh), fc.integer({ min: 1, max: 1023 }))
            .map(([whole, part]) => whole + part / 1024),
        ),
      );
    }
    // Past 2^53 a double cannot hold every integer: a Java long there would be read rounded.
    edits.push(
      at(
        'unsafe integer',
        fc
          .oneof(fc.bigInt(2n ** 53n, JAVA_LONG_MAX), fc.bigInt(-JAVA_LONG_MAX - 1n, -(2n ** 53n)))
          .map(Number),
      ),
    );
  } else if (TypeGuard.IsNumber(schema)) {
    edits.push(...numberEdits(schema, at));
  } else if (TypeGuard.IsString(schema)) {
    if (schema.pattern !== undefined) {
      const pattern = new RegExp(schema.pattern);
      edits.push(
        at(
          'not matching pattern',
          fc.string({ maxLength: 20 }).filter((text) => !pattern.test(text)),
        ),
      );
    }
    if (schema.maxLength !== undefined) {
      const length = schema.maxLength + 1;
      edits.push(at('too long', fc.string({ minLength: length, maxLength: length + 8 })));
    }
  } else if (TypeGuard.IsUnion(schema) && schema.anyOf.every(TypeGuard.IsLiteral)) {
    const members: unknown[] = schema.anyOf.map((member) => member.const);
    edits.push(
      at(
        'not a member',
        fc.string({ maxLength: 20 }).filter((text) => !members.includes(text)),
      ),
    );
  } else if (TypeGuard.IsObject(schema)) {
    for (const [key, child] of Object.entries(schema.properties)) {
      edits.push(...editsFor(child, [...path, key]));
      if (!TypeGuard.IsOptional(child)) {
        edits.push(fc.constant<Edit>({ path: [...path, key], breakage: 'missing', value: MISSING }));
      }
    }
    if (schema.additionalProperties === false) {
      const declared = (key: string) => Object.hasOwn(schema.properties, key);
      edits.push(unknownField(path, fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,15}$/), declared));
    }
  } else if (TypeGuard.IsRecord(schema)) {
    const [keyPattern, valueSchema] = recordEntry(schema);
    const keys = fc.stringMatching(new RegExp(keyPattern));
    for (const edit of editsFor(valueSchema, [])) {
      edits.push(
        fc.tuple(keys, edit).map(([key, inner]) => ({ ...inner, path: [...path, key, ...inner.path] })),
      );
    }
    if (schema.additionalProperties === false) {
      const pattern = new RegExp(keyPattern);
      edits.push(unknownField(path, fc.string({ minLength: 1, maxLength: 20 }), (key) => pattern.test(key)));
    }
  }
  return edits;
}

function numberEdits(
  schema: TNumber,
  at: (breakage: Breakage, value: fc.Arbitrary<unknown>) => fc.Arbitrary<Edit>,
): fc.Arbitrary<Edit>[] {
  const edits: fc.Arbitrary<Edit>[] = [];
  const low = schema.minimum ?? schema.exclusiveMinimum;
  const high = schema.maximum ?? schema.exclusiveMaximum;
  const step = schema.multipleOf;
  if (step === undefined) {
    // Values on the wrong side of a bound: the bound itself when it is exclusive.
    if (low !== undefined)
      edits.push(at('below minimum', finiteDouble({ max: low, maxExcluded: schema.minimum !== undefined })));
    if (high !== undefined)
      edits.push(at('above maximum', finiteDouble({ min: high, minExcluded: schema.maximum !== undefined })));
    return edits;
  }
  // On the grid, so each of these breaks the bound and nothing else.
  const [first, last] = gridIndexes(schema, step);
  const onGrid = (from: number, to: number) => integerBetween(from, to).map((index) => index * step);
  if (low !== undefined) edits.push(at('below minimum', onGrid(-GRID_INDEX_LIMIT, first - 1)));
  if (high !== undefined) edits.push(at('above maximum', onGrid(last + 1, GRID_INDEX_LIMIT)));
  if (first < last) {
    edits.push(
      at(
        'off grid',
        fc
          .tuple(integerBetween(first, last - 1), fc.integer({ min: 1, max: 1023 }))
          .map(([index, part]) => (index + part / 1024) * step)
          .filter((value) => value % step !== 0),
      ),
    );
  }
  return edits;
}

function unknownField(
  path: string[],
  keys: fc.Arbitrary<string>,
  declared: (key: string) => boolean,
): fc.Arbitrary<Edit> {
  return fc
    .tuple(
      keys.filter((key) => !declared(key)),
      fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null)),
    )
    .map(([key, value]): Edit => ({ path: [...path, key], breakage: 'unknown field', value }));
}

/** Any JSON value whose JSON type differs from the schema's, plus a number written as a string. */
function wrongType(schema: TSchema): fc.Arbitrary<unknown> {
  const type = TypeGuard.IsUnion(schema) ? jsonType(schema.anyOf[0]!) : jsonType(schema);
  const others: Record<string, fc.Arbitrary<unknown>> = {
    null: fc.constant(null),
    boolean: fc.boolean(),
    number: finiteDouble({}),
    string: fc.string({ maxLength: 20 }),
    array: fc.array(fc.integer(), { maxLength: 3 }),
    object: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.integer(), {
      maxKeys: 2,
      noNullPrototype: true,
    }),
  };
  const candidates = Object.entries(others)
    .filter(([name]) => name !== type)
    .map(([, arbitrary]) => arbitrary);
  // `"2024"` for a timestamp: the commonest real mistake is a number quoted by a CSV-to-JSON step.
  if (type === 'number') candidates.push(arbitraryFor(schema).map(String));
  return fc.oneof(...candidates);
}

function jsonType(schema: TSchema): string {
  if (TypeGuard.IsInteger(schema) || TypeGuard.IsNumber(schema)) return 'number';
  if (TypeGuard.IsLiteral(schema)) return typeof schema.const;
  if (TypeGuard.IsString(schema)) return 'string';
  if (TypeGuard.IsObject(schema) || TypeGuard.IsRecord(schema)) return 'object';
  return String(schema.type);
}

function applyEdit(event: unknown, edit: Edit): Record<string, unknown> {
  const root = structuredClone(event) as Record<string, unknown>;
  let holder = root;
  for (const key of edit.path.slice(0, -1)) {
    const next = holder[key];
    if (typeof next === 'object' && next !== null) holder = next as Record<string, unknown>;
    else holder = define(holder, key, {}) as Record<string, unknown>;
  }
  const last = edit.path.at(-1)!;
  if (edit.value === MISSING) delete holder[last];
  else define(holder, last, edit.value);
  return root;
}

// defineProperty, not assignment: a generated key such as `__proto__` must become a field, not a prototype.
function define(holder: object, key: string, value: unknown): unknown {
  Object.defineProperty(holder, key, { value, enumerable: true, writable: true, configurable: true });
  return value;
}

function integerBounds(schema: TInteger): [number, number] {
  const low = Math.max(
    Number.MIN_SAFE_INTEGER,
    schema.minimum !== undefined ? Math.ceil(schema.minimum) : -Infinity,
    schema.exclusiveMinimum !== undefined ? Math.floor(schema.exclusiveMinimum) + 1 : -Infinity,
  );
  const high = Math.min(
    Number.MAX_SAFE_INTEGER,
    schema.maximum !== undefined ? Math.floor(schema.maximum) : Infinity,
    schema.exclusiveMaximum !== undefined ? Math.ceil(schema.exclusiveMaximum) - 1 : Infinity,
  );
  return [low, high];
}

// fc.integer stops at 32 bits; timestamps need the whole safe range, and bigInt still favours the bounds.
function integerBetween(low: number, high: number): fc.Arbitrary<number> {
  return fc.bigInt(BigInt(low), BigInt(high)).map(Number);
}

function gridIndexes(schema: TNumber, step: number): [number, number] {
  let first = -GRID_INDEX_LIMIT;
  let last = GRID_INDEX_LIMIT;
  if (schema.minimum !== undefined) first = Math.max(first, Math.ceil(schema.minimum / step));
  if (schema.exclusiveMinimum !== undefined)
    first = Math.max(first, Math.floor(schema.exclusiveMinimum / step) + 1);
  if (schema.maximum !== undefined) last = Math.min(last, Math.floor(schema.maximum / step));
  if (schema.exclusiveMaximum !== undefined)
    last = Math.min(last, Math.ceil(schema.exclusiveMaximum / step) - 1);
  return [first, last];
}

function numberArbitrary(schema: TNumber): fc.Arbitrary<number> {
  const step = schema.multipleOf;
  if (step !== undefined) {
    const [first, last] = gridIndexes(schema, step);
    return integerBetween(first, last).map((index) => index * step);
  }
  return finiteDouble({
    ...optional('min', schema.minimum ?? schema.exclusiveMinimum),
    ...optional('max', schema.maximum ?? schema.exclusiveMaximum),
    minExcluded: schema.minimum === undefined && schema.exclusiveMinimum !== undefined,
    maxExcluded: schema.maximum === undefined && schema.exclusiveMaximum !== undefined,
  });
}

// JSON writes -0 as 0: a -0 could never arrive, and would make a faithful round trip look broken.
function finiteDouble(constraints: fc.DoubleConstraints): fc.Arbitrary<number> {
  return fc
    .double({ ...constraints, noNaN: true, noDefaultInfinity: true })
    .map((value) => (Object.is(value, -0) ? 0 : value));
}

function stringArbitrary(schema: TString): fc.Arbitrary<string> {
  const maxLength = schema.maxLength ?? 1_000;
  const minLength = schema.minLength ?? 0;
  // TypeBox counts UTF-16 code units; fast-check counts graphemes, hence the filter.
  const fits = (text: string) => text.length >= minLength && text.length <= maxLength;
  if (schema.pattern !== undefined) {
    return fc.stringMatching(new RegExp(schema.pattern), { maxLength }).filter(fits);
  }
  return fc.string({ unit: 'grapheme', minLength, maxLength }).filter(fits);
}

function recordEntry(schema: TRecord): [string, TSchema] {
  const entries = Object.entries(schema.patternProperties as Record<string, TSchema>);
  if (entries.length !== 1) throw new Error('a record schema needs exactly one key pattern');
  return entries[0]!;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
