import type { TSchema } from '@sinclair/typebox';

/** Describes a (sub)schema in words a person understands: "an integer from 1 to 138493". */
export function describeExpected(schema: TSchema): string {
  if (schema.anyOf) return `one of ${(schema.anyOf as TSchema[]).map(describeExpected).join(', ')}`;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  switch (schema.type) {
    case 'integer':
    case 'number': {
      // JSON's 1e400 parses to Infinity, a number: an unbounded number must say it has to be finite.
      const bounded = schema.minimum !== undefined && schema.maximum !== undefined;
      const noun = schema.type === 'integer' ? 'an integer' : bounded ? 'a number' : 'a finite number';
      const low =
        schema.minimum ??
        (schema.exclusiveMinimum !== undefined ? `> ${schema.exclusiveMinimum}` : undefined);
      const range =
        schema.minimum !== undefined && schema.maximum !== undefined
          ? ` from ${schema.minimum} to ${schema.maximum}`
          : `${low !== undefined ? ` ${typeof low === 'string' ? low : `>= ${low}`}` : ''}${schema.maximum !== undefined ? ` up to ${schema.maximum}` : ''}`;
      const step = schema.multipleOf !== undefined ? ` in steps of ${schema.multipleOf}` : '';
      return `${noun}${range}${step}`;
    }
    case 'string': {
      const pattern = schema.pattern ? ` matching ${schema.pattern}` : '';
      const length = schema.maxLength !== undefined ? ` of at most ${schema.maxLength} characters` : '';
      return `a string${pattern}${length}`;
    }
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    default:
      return 'a valid value';
  }
}

/** Renders a received value for an error message, short and unambiguous about its type. */
export function describeReceived(value: unknown): string {
  if (value === undefined) return 'nothing (field missing)';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
