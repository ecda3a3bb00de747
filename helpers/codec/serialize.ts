// How our producers write an event as JSON: like JSON.stringify, except that a field the contract
// declares a double (`Type.Number`, not `Type.Integer`) always carries a decimal point. The reference
// producer is Python, whose json.dumps writes 5.0 for a float; a Python reader that checks
// isinstance(rating, float), the natural check for a field typed double, refuses a bare 5.
import { type TObject, type TSchema, TypeGuard } from '@sinclair/typebox';

declare global {
  interface JSON {
    /** A value JSON.stringify writes as this exact text (TC39 JSON.parse source text access; Node >= 21). */
    rawJSON(text: string): unknown;
  }
}

/** Writes an event as JSON text; undefined when the value is not of the shape the serializer was built for. */
export type Serializer = (value: unknown) => string | undefined;

/** A double as JSON: integral values get `.0` (`5` → `5.0`); exponent forms and fractions stay as JS writes them. */
export function doubleLiteral(value: number): string {
  // String() of a finite number is JSON.stringify's text; an integer is written without `.` or exponent
  // exactly when it is below 1e21 (then JavaScript switches to `1e+21`), so no need to search the text.
  const text = String(value);
  return Number.isInteger(value) && Math.abs(value) < 1e21 ? `${text}.0` : text;
}

type FieldKind = 'integer' | 'double' | 'other';

const kindOf = (schema: TSchema): FieldKind =>
  TypeGuard.IsInteger(schema) ? 'integer' : TypeGuard.IsNumber(schema) ? 'double' : 'other';

/** Property names declared as doubles anywhere in the schema (nested objects included). */
function doubleNames(schema: TSchema, into = new Set<string>()): Set<string> {
  if (TypeGuard.IsObject(schema)) {
    for (const [name, property] of Object.entries(schema.properties)) {
      if (kindOf(property) === 'double') into.add(name);
      doubleNames(property, into);
    }
  }
  return into;
}

/**
 * Builds the serializer of an event schema. A flat object of integers, doubles and strings (the rating)
 * is written field by field in schema order, about three times as fast as JSON.stringify; anything
 * else goes through JSON.stringify with a replacer that marks the doubles.
 */
export function createSerializer(schema: TObject): Serializer {
  const fields = Object.entries(schema.properties).map(([name, property]) => ({
    name,
    kind: kindOf(property),
    string: TypeGuard.IsString(property),
    prefix: `${JSON.stringify(name)}:`,
  }));
  const flat = fields.every((field) => field.kind !== 'other' || field.string);
  if (flat) {
    return (value) => {
      if (typeof value !== 'object' || value === null) return undefined;
      const record = value as Record<string, unknown>;
      let text = '{';
      let count = 0;
      for (const field of fields) {
        const v = record[field.name];
        if (v === undefined) continue;
        if (field.string ? typeof v !== 'string' : typeof v !== 'number' || !Number.isFinite(v))
          return undefined;
        if (count++ > 0) text += ',';
        // String(v) is JSON.stringify(v) for a finite number, without the generic serializer's overhead.
        text +=
          field.prefix +
          (field.kind === 'double'
            ? doubleLiteral(v as number)
            : field.string
              ? JSON.stringify(v)
              : String(v));
      }
      // A key the schema does not declare: not this serializer's shape.
      return Object.keys(record).length === count ? `${text}}` : undefined;
    };
  }
  const doubles = doubleNames(schema);
  const replacer = (key: string, v: unknown): unknown =>
    typeof v === 'number' && doubles.has(key) && Number.isFinite(v) ? JSON.rawJSON(doubleLiteral(v)) : v;
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return JSON.stringify(value, replacer);
  };
}
