// Loads the example events under fixtures/ and checks the decoder's verdict on each one the same way for
// every event type, so a new fixture needs no new assertion code.
import { readFileSync } from 'node:fs';
import type { TSchema } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import {
  type DecodeFailureKind,
  type DecodeResult,
  type FieldError,
  fieldName,
} from '../../helpers/codec/decode.ts';

/** An example record value the decoder must accept; `raw` is the exact record text. */
export interface ValidFixture {
  name: string;
  raw: string;
}

/** An example record value the decoder must refuse, naming exactly `fields` (dotted) when it is a schema failure. */
export interface InvalidFixture {
  name: string;
  raw: string;
  kind: DecodeFailureKind;
  fields: string[];
  /** Present when a tolerant reader accepts the record by dropping exactly these fields. */
  ignoredFields?: string[];
}

/** The valid and invalid examples of one event type, validated on load so a typo cannot pass silently. */
export function loadFixtures(event: 'ratings' | 'metrics'): {
  valid: ValidFixture[];
  invalid: InvalidFixture[];
} {
  const read = (file: string): unknown[] => {
    const rows: unknown = JSON.parse(
      readFileSync(new URL(`../../fixtures/${event}/${file}`, import.meta.url), 'utf8'),
    );
    if (!Array.isArray(rows) || rows.length === 0)
      throw new Error(`fixtures/${event}/${file}: expected a non-empty array`);
    const names = rows.map((row) => (row as { name?: unknown }).name);
    if (new Set(names).size !== names.length)
      throw new Error(`fixtures/${event}/${file}: names must be unique`);
    return rows;
  };
  const valid = read('valid.json').map((row) => {
    const { name, raw, ...rest } = row as Record<string, unknown>;
    if (typeof name !== 'string' || typeof raw !== 'string' || Object.keys(rest).length > 0)
      throw new Error(`fixtures/${event}/valid.json: bad entry ${JSON.stringify(row)}`);
    return { name, raw };
  });
  const invalid = read('invalid.json').map((row): InvalidFixture => {
    const { name, raw, fields, kind, ignoredFields, ...rest } = row as Record<string, unknown>;
    const strings = (value: unknown) =>
      Array.isArray(value) && value.every((item) => typeof item === 'string');
    // A schema failure lists its fields; any other failure names its kind instead.
    const shapeOk =
      typeof name === 'string' &&
      typeof raw === 'string' &&
      Object.keys(rest).length === 0 &&
      (fields === undefined
        ? typeof kind === 'string' && kind !== 'schema'
        : strings(fields) && kind === undefined) &&
      (ignoredFields === undefined || (strings(ignoredFields) && fields !== undefined));
    if (!shapeOk) throw new Error(`fixtures/${event}/invalid.json: bad entry ${JSON.stringify(row)}`);
    return {
      name: name as string,
      raw: raw as string,
      kind: (kind as DecodeFailureKind | undefined) ?? 'schema',
      fields: (fields as string[] | undefined) ?? [],
      ...(ignoredFields === undefined ? {} : { ignoredFields: ignoredFields as string[] }),
    };
  });
  return { valid, invalid };
}

/** The field an error names, dotted as in decoder messages: `/window/endMs` → `window.endMs`. */
export function fieldOf(error: FieldError): string {
  return fieldName(error.path);
}

/** What the decoder should say it received for `field`, read off the raw text; undefined for long strings. */
export function receivedIn(raw: string, field: string): string | undefined {
  // Numbers must come back with the digits that were sent, so the raw text is the oracle, not JSON.parse.
  const key = JSON.stringify(field.split('.').at(-1));
  const match = new RegExp(
    `${escapeRegExp(key)}\\s*:\\s*(-?\\d[\\d.eE+-]*|"(?:[^"\\\\]|\\\\.)*"|true|false|null|\\{|\\[)`,
  ).exec(raw);
  if (!match) return 'nothing (field missing)';
  const literal = match[1]!;
  if (literal === '{' || literal === '[') return literal === '{' ? 'an object' : 'an array';
  if (literal.startsWith('"')) return literal.length <= 42 ? `the string ${literal}` : undefined;
  return literal;
}

/** Asserts that `result` refuses `fixture` for the listed reason, in messages a person can act on. */
export function expectRefusal(result: DecodeResult<unknown>, fixture: InvalidFixture): void {
  if (result.ok) throw new Error(`${fixture.name}: accepted, expected a ${fixture.kind} failure`);
  expect(result.kind).toBe(fixture.kind);
  expect(result.message).not.toBe('');
  if (fixture.kind !== 'schema') {
    expect(result.errors).toEqual([]);
    return;
  }
  expect(result.errors.map(fieldOf).sort()).toEqual([...fixture.fields].sort());
  for (const error of result.errors) {
    const field = fieldOf(error);
    // The fallback wording means the describer met a schema it does not know: say what is wanted.
    expect(error.expected).not.toMatch(/^(|a valid value)$/);
    expect(error.received).not.toBe('');
    expect(result.message).toContain(`${field}: expected ${error.expected}, received ${error.received}`);
    const received = receivedIn(fixture.raw, field);
    if (received !== undefined) expect(error.received, `${field} as received`).toBe(received);
  }
}

/** Whether every field a fixture lists is declared by `schema` (record keys count as declared). */
export function declaresAll(schema: TSchema, fixture: InvalidFixture): boolean {
  return fixture.fields.every((field) => {
    let node: TSchema | undefined = schema;
    for (const segment of field.split('.')) {
      if (node?.patternProperties) return true;
      node =
        node?.properties && Object.hasOwn(node.properties, segment) ? node.properties[segment] : undefined;
    }
    return node !== undefined;
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The fixture table every event type shares: each fixture is JSON exactly when it does not claim to be
 * unparseable, each valid one decodes to its parsed value, and each invalid one is refused as it says.
 */
export function describeFixtureTable(
  label: string,
  fixtures: { valid: ValidFixture[]; invalid: InvalidFixture[] },
  decode: (bytes: Uint8Array) => DecodeResult<unknown>,
): void {
  const { valid, invalid } = fixtures;
  const bytes = (text: string) => Buffer.from(text, 'utf8');
  describe(`${label} fixtures`, () => {
    it('are JSON exactly when they do not claim to be unparseable', () => {
      for (const fixture of [...valid, ...invalid]) {
        let parses = true;
        try {
          JSON.parse(fixture.raw);
        } catch {
          parses = false;
        }
        expect(parses, fixture.name).toBe(!('kind' in fixture) || fixture.kind !== 'not-json');
      }
    });

    it.each(valid)('accepts $name', ({ raw }) => {
      expect(decode(bytes(raw))).toEqual({ ok: true, value: JSON.parse(raw), ignoredFields: [] });
    });

    it.each(invalid)('refuses $name', (fixture) => {
      expectRefusal(decode(bytes(fixture.raw)), fixture);
    });
  });
}
