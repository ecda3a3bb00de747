// The differences between two JSON Schemas of an event (a release's and the working contract's), each
// named (Confluent Schema Registry's names where one exists), placed (a JSON pointer) and judged in both
// directions for every kind of reader. Our schemas are TypeBox objects of a few kinds (objects, records,
// integers, numbers, strings, unions of string literals), so the walk is small enough to own; a construct
// it does not know is an error, never a silent "compatible".
//
// The data side of every judgement is the writer's schema as written: our producers encode exactly what
// their contract allows. The reader side is the reader's own schema, read by its kind (readers.ts).
import { READER_KINDS, type ReaderKind, refusesUnknownFields } from './readers.ts';

/** A JSON Schema node as the generated files hold it. */
export type JsonSchema = { [keyword: string]: unknown };

/** The stable names of the differences the check reports. */
export type SchemaRule =
  | 'DESCRIPTION_CHANGED'
  | 'TITLE_CHANGED'
  | 'ID_CHANGED'
  | 'TYPE_EXTENDED'
  | 'TYPE_NARROWED'
  | 'TYPE_CHANGED'
  | 'MAXIMUM_ADDED'
  | 'MAXIMUM_REMOVED'
  | 'MAXIMUM_INCREASED'
  | 'MAXIMUM_DECREASED'
  | 'MINIMUM_ADDED'
  | 'MINIMUM_REMOVED'
  | 'MINIMUM_INCREASED'
  | 'MINIMUM_DECREASED'
  | 'MULTIPLE_OF_ADDED'
  | 'MULTIPLE_OF_REMOVED'
  | 'MULTIPLE_OF_EXPANDED'
  | 'MULTIPLE_OF_REDUCED'
  | 'MULTIPLE_OF_CHANGED'
  | 'MAX_LENGTH_ADDED'
  | 'MAX_LENGTH_REMOVED'
  | 'MAX_LENGTH_INCREASED'
  | 'MAX_LENGTH_DECREASED'
  | 'MIN_LENGTH_ADDED'
  | 'MIN_LENGTH_REMOVED'
  | 'MIN_LENGTH_INCREASED'
  | 'MIN_LENGTH_DECREASED'
  | 'PATTERN_ADDED'
  | 'PATTERN_REMOVED'
  | 'PATTERN_CHANGED'
  | 'ENUM_ARRAY_EXTENDED'
  | 'ENUM_ARRAY_NARROWED'
  | 'ENUM_ARRAY_CHANGED'
  | 'REQUIRED_ATTRIBUTE_ADDED'
  | 'REQUIRED_ATTRIBUTE_REMOVED'
  | 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL'
  | 'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL'
  | 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL'
  | 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL'
  | 'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL'
  | 'ADDITIONAL_PROPERTIES_ADDED'
  | 'ADDITIONAL_PROPERTIES_REMOVED'
  | 'PATTERN_PROPERTIES_CHANGED';

/** One difference between a release's schema (`old`) and the working one (`new`), judged both ways. */
export interface SchemaChange {
  rule: SchemaRule;
  /** JSON pointer of the field (`/movieId`, `/window/endMs`, `/tags/*`); `/` for the event itself. */
  path: string;
  old: unknown;
  new: unknown;
  /** Readers built from the working contract that refuse some record valid under the release. */
  backward: ReaderKind[];
  /** Readers built from the release that refuse some record valid under the working contract. */
  forward: ReaderKind[];
}

const ALL: ReaderKind[] = [...READER_KINDS];
const NONE: ReaderKind[] = [];

/** Every difference from `oldSchema` (a release) to `newSchema` (the working contract), in schema order. */
export function diffSchemas(oldSchema: JsonSchema, newSchema: JsonSchema): SchemaChange[] {
  const changes: SchemaChange[] = [];
  for (const keyword of ['$id', 'title'] as const) {
    if (oldSchema[keyword] !== newSchema[keyword]) {
      const rule = keyword === '$id' ? 'ID_CHANGED' : 'TITLE_CHANGED';
      changes.push(change(rule, '/', oldSchema[keyword], newSchema[keyword], NONE, NONE));
    }
  }
  diffNode(oldSchema, newSchema, '', 0, changes);
  return changes;
}

function change(
  rule: SchemaRule,
  path: string,
  before: unknown,
  after: unknown,
  backward: ReaderKind[],
  forward: ReaderKind[],
): SchemaChange {
  return { rule, path: path === '' ? '/' : path, old: before, new: after, backward, forward };
}

type Kind = 'object' | 'record' | 'integer' | 'number' | 'string' | 'enum';

function kindOf(node: JsonSchema, path: string): Kind {
  if (Array.isArray(node.anyOf) && node.anyOf.every((member) => isStringConst(member))) return 'enum';
  if (typeof node.const === 'string') return 'enum';
  if (node.type === 'object') return node.patternProperties !== undefined ? 'record' : 'object';
  if (node.type === 'integer' || node.type === 'number' || node.type === 'string') return node.type;
  throw new Error(
    `the compatibility check does not know the schema at ${path || '/'}: ${JSON.stringify(node)}`,
  );
}

function isStringConst(member: unknown): boolean {
  return typeof (member as JsonSchema | null)?.const === 'string';
}

function diffNode(before: JsonSchema, after: JsonSchema, path: string, depth: number, out: SchemaChange[]) {
  if (before.description !== after.description) {
    out.push(change('DESCRIPTION_CHANGED', path, before.description, after.description, NONE, NONE));
  }
  const [oldKind, newKind] = [kindOf(before, path), kindOf(after, path)];
  if (oldKind !== newKind) {
    const numeric = new Set<Kind>(['integer', 'number']);
    if (numeric.has(oldKind) && numeric.has(newKind)) {
      // integer -> number: every old value is still a number; new data may carry 2.5.
      const extended = oldKind === 'integer';
      out.push(
        change(
          extended ? 'TYPE_EXTENDED' : 'TYPE_NARROWED',
          path,
          oldKind,
          newKind,
          extended ? NONE : ALL,
          extended ? ALL : NONE,
        ),
      );
      diffNumbers(before, after, path, out);
      return;
    }
    out.push(change('TYPE_CHANGED', path, oldKind, newKind, ALL, ALL));
    return;
  }
  if (oldKind === 'object') diffObjects(before, after, path, depth, out);
  else if (oldKind === 'record') diffRecords(before, after, path, depth, out);
  else if (oldKind === 'integer' || oldKind === 'number') diffNumbers(before, after, path, out);
  else if (oldKind === 'string') diffStrings(before, after, path, out);
  else diffEnums(before, after, path, out);
}

function properties(node: JsonSchema): Record<string, JsonSchema> {
  return (node.properties ?? {}) as Record<string, JsonSchema>;
}

function requiredOf(node: JsonSchema): Set<string> {
  return new Set((node.required ?? []) as string[]);
}

const isClosed = (node: JsonSchema): boolean => node.additionalProperties === false;

/** The readers of `kind`s that refuse an unknown field in an object with this schema at this depth. */
function closedReaders(node: JsonSchema, depth: number): ReaderKind[] {
  return READER_KINDS.filter((kind) => refusesUnknownFields(kind, isClosed(node), depth));
}

function diffObjects(
  before: JsonSchema,
  after: JsonSchema,
  path: string,
  depth: number,
  out: SchemaChange[],
) {
  const [oldProps, newProps] = [properties(before), properties(after)];
  const [oldRequired, newRequired] = [requiredOf(before), requiredOf(after)];
  if (isClosed(before) !== isClosed(after)) {
    // The writer's content model: an open one may send any field; a reader closed there refuses it.
    out.push(
      isClosed(before)
        ? change(
            'ADDITIONAL_PROPERTIES_ADDED',
            path,
            false,
            after.additionalProperties ?? true,
            NONE,
            closedReaders(before, depth),
          )
        : change(
            'ADDITIONAL_PROPERTIES_REMOVED',
            path,
            before.additionalProperties ?? true,
            false,
            closedReaders(after, depth),
            NONE,
          ),
    );
  }
  for (const [name, oldProp] of Object.entries(oldProps)) {
    const at = `${path}/${escapePointer(name)}`;
    const newProp = newProps[name];
    if (newProp === undefined) {
      // New data never carries it; old readers that require it refuse that.
      const forward = oldRequired.has(name) ? ALL : NONE;
      out.push(
        isClosed(after)
          ? change(
              'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
              at,
              oldProp,
              undefined,
              closedReaders(after, depth),
              forward,
            )
          : // An open writer may still send the field with any value, which old readers check.
            change('PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL', at, oldProp, undefined, NONE, ALL),
      );
      continue;
    }
    if (oldRequired.has(name) !== newRequired.has(name)) {
      out.push(
        newRequired.has(name)
          ? change('REQUIRED_ATTRIBUTE_ADDED', at, false, true, ALL, NONE)
          : change('REQUIRED_ATTRIBUTE_REMOVED', at, true, false, NONE, ALL),
      );
    }
    diffNode(oldProp, newProp, at, depth + 1, out);
  }
  for (const [name, newProp] of Object.entries(newProps)) {
    if (name in oldProps) continue;
    const at = `${path}/${escapePointer(name)}`;
    if (!isClosed(before)) {
      // Old data may already carry the field, with any value the new schema need not accept.
      out.push(change('PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', at, undefined, newProp, ALL, NONE));
    } else if (newRequired.has(name)) {
      out.push(
        change(
          'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
          at,
          undefined,
          newProp,
          ALL,
          closedReaders(before, depth),
        ),
      );
    } else {
      out.push(
        change(
          'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
          at,
          undefined,
          newProp,
          NONE,
          closedReaders(before, depth),
        ),
      );
    }
  }
}

function diffRecords(
  before: JsonSchema,
  after: JsonSchema,
  path: string,
  depth: number,
  out: SchemaChange[],
) {
  const oldPatterns = (before.patternProperties ?? {}) as Record<string, JsonSchema>;
  const newPatterns = (after.patternProperties ?? {}) as Record<string, JsonSchema>;
  const oldKeys = Object.keys(oldPatterns).sort();
  const newKeys = Object.keys(newPatterns).sort();
  if (oldKeys.join('\0') !== newKeys.join('\0')) {
    // Whether one key pattern admits every key of another is not decidable here: judged breaking.
    out.push(change('PATTERN_PROPERTIES_CHANGED', `${path}/*`, oldKeys, newKeys, ALL, ALL));
    return;
  }
  for (const key of oldKeys) {
    diffNode(oldPatterns[key] as JsonSchema, newPatterns[key] as JsonSchema, `${path}/*`, depth + 1, out);
  }
}

function diffStrings(before: JsonSchema, after: JsonSchema, path: string, out: SchemaChange[]) {
  lengthChange(before.maxLength, after.maxLength, 'MAX_LENGTH', 'upper', path, out);
  lengthChange(before.minLength, after.minLength, 'MIN_LENGTH', 'lower', path, out);
  if (before.pattern !== after.pattern) {
    if (before.pattern === undefined)
      out.push(change('PATTERN_ADDED', path, undefined, after.pattern, ALL, NONE));
    else if (after.pattern === undefined)
      out.push(change('PATTERN_REMOVED', path, before.pattern, undefined, NONE, ALL));
    // Whether one regular expression admits every string of another is not decidable here.
    else out.push(change('PATTERN_CHANGED', path, before.pattern, after.pattern, ALL, ALL));
  }
}

/** A change of an upper or lower bound: widening breaks old readers of new data, narrowing new readers of old. */
function boundChange(
  before: number | undefined,
  after: number | undefined,
  side: 'upper' | 'lower',
): { suffix: 'ADDED' | 'REMOVED' | 'INCREASED' | 'DECREASED'; widened: boolean } | undefined {
  if (before === after) return undefined;
  if (before === undefined) return { suffix: 'ADDED', widened: false };
  if (after === undefined) return { suffix: 'REMOVED', widened: true };
  const increased = after > before;
  return {
    suffix: increased ? 'INCREASED' : 'DECREASED',
    widened: side === 'upper' ? increased : !increased,
  };
}

function lengthChange(
  before: unknown,
  after: unknown,
  prefix: 'MAX_LENGTH' | 'MIN_LENGTH',
  side: 'upper' | 'lower',
  path: string,
  out: SchemaChange[],
) {
  const moved = boundChange(before as number | undefined, after as number | undefined, side);
  if (!moved) return;
  out.push(
    change(
      `${prefix}_${moved.suffix}`,
      path,
      before,
      after,
      moved.widened ? NONE : ALL,
      moved.widened ? ALL : NONE,
    ),
  );
}

/** The values a numeric schema admits, as bounds on its grid (integers, or multiples of `multipleOf`). */
interface NumericDomain {
  low: { value: number; exclusive: boolean } | undefined;
  high: { value: number; exclusive: boolean } | undefined;
  grid: number | undefined;
  /** The keywords as written, for the report. */
  lowKeyword: string | undefined;
  highKeyword: string | undefined;
}

function domainOf(node: JsonSchema): NumericDomain {
  const multipleOf = node.multipleOf as number | undefined;
  const grid = node.type === 'integer' ? lcm(1, multipleOf ?? 1) : multipleOf;
  const bound = (inclusive: unknown, exclusive: unknown, side: 'low' | 'high') => {
    const candidates: { value: number; exclusive: boolean }[] = [];
    if (typeof inclusive === 'number') candidates.push({ value: inclusive, exclusive: false });
    if (typeof exclusive === 'number') candidates.push({ value: exclusive, exclusive: true });
    if (candidates.length === 0) return undefined;
    // On a grid every bound is a grid value, inclusive: `exclusiveMinimum: 0` on integers is `minimum: 1`.
    const snapped = candidates.map((c) => (grid === undefined ? c : snap(c, grid, side)));
    return snapped.reduce((a, b) => (tighter(a, b, side) ? a : b));
  };
  return {
    low: bound(node.minimum, node.exclusiveMinimum, 'low'),
    high: bound(node.maximum, node.exclusiveMaximum, 'high'),
    grid,
    lowKeyword: keywordText(node, 'minimum', 'exclusiveMinimum'),
    highKeyword: keywordText(node, 'maximum', 'exclusiveMaximum'),
  };
}

function keywordText(node: JsonSchema, inclusive: string, exclusive: string): string | undefined {
  const parts = [inclusive, exclusive]
    .filter((k) => typeof node[k] === 'number')
    .map((k) => `${k} ${node[k]}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function snap(bound: { value: number; exclusive: boolean }, grid: number, side: 'low' | 'high') {
  const steps = bound.value / grid;
  const onGrid = Math.abs(steps - Math.round(steps)) < 1e-9;
  let index: number;
  if (side === 'low') index = onGrid ? Math.round(steps) + (bound.exclusive ? 1 : 0) : Math.ceil(steps);
  else index = onGrid ? Math.round(steps) - (bound.exclusive ? 1 : 0) : Math.floor(steps);
  return { value: roundToGrid(index * grid, grid), exclusive: false };
}

function roundToGrid(value: number, grid: number): number {
  // 0.1 * 3 is 0.30000000000000004: keep as many decimals as the grid has.
  const decimals = Math.max(0, -Math.floor(Math.log10(grid)) + 6);
  return Number(value.toFixed(Math.min(decimals, 15)));
}

function tighter(
  a: { value: number; exclusive: boolean },
  b: { value: number; exclusive: boolean },
  side: 'low' | 'high',
) {
  if (a.value === b.value) return a.exclusive;
  return side === 'low' ? a.value > b.value : a.value < b.value;
}

/** -1, 0 or 1: how bound `a` compares with `b` as a limit on the `side` (an exclusive bound is inside). */
function compareBounds(
  a: { value: number; exclusive: boolean },
  b: { value: number; exclusive: boolean },
  side: 'low' | 'high',
) {
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  if (a.exclusive === b.exclusive) return 0;
  const inside = side === 'low' ? 1 : -1;
  return a.exclusive ? inside : -inside;
}

function diffNumbers(before: JsonSchema, after: JsonSchema, path: string, out: SchemaChange[]) {
  const [a, b] = [domainOf(before), domainOf(after)];
  for (const side of ['low', 'high'] as const) {
    const prefix = side === 'low' ? 'MINIMUM' : 'MAXIMUM';
    const [from, to] = [a[side], b[side]];
    const [fromText, toText] = side === 'low' ? [a.lowKeyword, b.lowKeyword] : [a.highKeyword, b.highKeyword];
    if (from === undefined && to === undefined) continue;
    let suffix: 'ADDED' | 'REMOVED' | 'INCREASED' | 'DECREASED';
    if (from === undefined) suffix = 'ADDED';
    else if (to === undefined) suffix = 'REMOVED';
    else {
      const order = compareBounds(to, from, side);
      if (order === 0) continue;
      suffix = order > 0 ? 'INCREASED' : 'DECREASED';
    }
    const widened =
      suffix === 'REMOVED' ||
      (side === 'high' && suffix === 'INCREASED') ||
      (side === 'low' && suffix === 'DECREASED');
    out.push(
      change(`${prefix}_${suffix}`, path, fromText, toText, widened ? NONE : ALL, widened ? ALL : NONE),
    );
  }
  const [oldStep, newStep] = [
    before.multipleOf as number | undefined,
    after.multipleOf as number | undefined,
  ];
  if (oldStep !== newStep) {
    // Judged on the values the writer's grid holds (an integer's is 1) checked as every reader we ship
    // checks a step, `value % step === 0` (TypeBox and the Spark job alike): 0.5 -> 0.1 is finer on paper,
    // yet 1.5 % 0.1 is 0.0999..., so the new reader refuses old ratings. Named after the keyword as written.
    const backward = stepAccepts(a, newStep) ? NONE : ALL;
    const forward = stepAccepts(b, oldStep) ? NONE : ALL;
    let rule: SchemaRule;
    if (oldStep === undefined) rule = 'MULTIPLE_OF_ADDED';
    else if (newStep === undefined) rule = 'MULTIPLE_OF_REMOVED';
    else if (divides(newStep, oldStep)) rule = 'MULTIPLE_OF_REDUCED';
    else if (divides(oldStep, newStep)) rule = 'MULTIPLE_OF_EXPANDED';
    else rule = 'MULTIPLE_OF_CHANGED';
    out.push(change(rule, path, oldStep, newStep, backward, forward));
  }
}

/** The most grid values of a domain that `stepAccepts` checks, from each end of it. */
const STEP_PROBES = 10_000;

/**
 * True when a reader whose schema has `step` as its multipleOf accepts every value a writer with `domain`
 * can write, as readers compute it: the values as their shortest decimal text parses, `value % step === 0`.
 */
function stepAccepts(domain: NumericDomain, step: number | undefined): boolean {
  if (step === undefined) return true;
  const grid = domain.grid;
  if (grid === undefined) return false;
  const first = domain.low === undefined ? undefined : Math.round(domain.low.value / grid);
  const last = domain.high === undefined ? undefined : Math.round(domain.high.value / grid);
  const indexes = new Set<number>();
  const from = first ?? (last === undefined ? -STEP_PROBES : last - 2 * STEP_PROBES);
  const to = last ?? from + 2 * STEP_PROBES;
  for (let k = from; k <= Math.min(to, from + STEP_PROBES); k++) indexes.add(k);
  for (let k = Math.max(from, to - STEP_PROBES); k <= to; k++) indexes.add(k);
  for (const k of indexes) if (roundToGrid(k * grid, grid) % step !== 0) return false;
  return true;
}

/** True when every multiple of `multiple`'s grid lies on `grid` (`undefined`: no grid, every number). */
function divides(grid: number | undefined, multiple: number | undefined): boolean {
  if (grid === undefined) return true;
  if (multiple === undefined) return false;
  const ratio = multiple / grid;
  return Math.abs(ratio - Math.round(ratio)) < 1e-9;
}

function lcm(a: number, b: number): number {
  // Grids here are 1 and small decimals; an integer grid with multipleOf 0.5 is still 1.
  if (divides(a, b)) return b;
  if (divides(b, a)) return a;
  for (let k = 2; k <= 1_000; k++) if (divides(b, a * k)) return a * k;
  return a * b;
}

function membersOf(node: JsonSchema): string[] {
  if (typeof node.const === 'string') return [node.const];
  return (node.anyOf as JsonSchema[]).map((member) => member.const as string);
}

function diffEnums(before: JsonSchema, after: JsonSchema, path: string, out: SchemaChange[]) {
  const [oldMembers, newMembers] = [membersOf(before), membersOf(after)];
  const added = newMembers.filter((m) => !oldMembers.includes(m));
  const removed = oldMembers.filter((m) => !newMembers.includes(m));
  if (added.length === 0 && removed.length === 0) return;
  if (removed.length === 0) out.push(change('ENUM_ARRAY_EXTENDED', path, oldMembers, newMembers, NONE, ALL));
  else if (added.length === 0)
    out.push(change('ENUM_ARRAY_NARROWED', path, oldMembers, newMembers, ALL, NONE));
  else out.push(change('ENUM_ARRAY_CHANGED', path, oldMembers, newMembers, ALL, ALL));
}

function escapePointer(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}
