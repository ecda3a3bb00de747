// A released JSON Schema back as a TypeBox schema, so the project's own decoder (and the Pact matchers
// and arbitraries read off TypeBox) can be built from a release exactly as consumers built against it.
// Only the kinds our generator writes are known; anything else is an error, never a looser schema.
import { type TSchema, Type } from '@sinclair/typebox';
import type { JsonSchema } from './schema-diff.ts';

const NUMERIC_KEYWORDS = [
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
] as const;
const STRING_KEYWORDS = ['minLength', 'maxLength', 'pattern'] as const;

function pick(node: JsonSchema, keywords: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const keyword of ['description', 'title', '$id', ...keywords])
    if (node[keyword] !== undefined) picked[keyword] = node[keyword];
  return picked;
}

/** The TypeBox schema of a JSON Schema the artefact generator wrote. */
export function typeboxOf(node: JsonSchema, path = ''): TSchema {
  if (Array.isArray(node.anyOf)) {
    const members = node.anyOf as JsonSchema[];
    if (members.every((m) => typeof m.const === 'string'))
      return Type.Union(
        members.map((m) => Type.Literal(m.const as string)),
        pick(node, []),
      );
  }
  if (typeof node.const === 'string') return Type.Literal(node.const, pick(node, []));
  switch (node.type) {
    case 'integer':
      return Type.Integer(pick(node, NUMERIC_KEYWORDS));
    case 'number':
      return Type.Number(pick(node, NUMERIC_KEYWORDS));
    case 'string':
      return Type.String(pick(node, STRING_KEYWORDS));
    case 'object': {
      const options = { ...pick(node, []), additionalProperties: node.additionalProperties ?? true };
      if (node.patternProperties !== undefined) {
        const [[pattern, value]] = Object.entries(node.patternProperties as Record<string, JsonSchema>) as [
          [string, JsonSchema],
        ];
        return Type.Record(
          Type.String({ pattern }),
          typeboxOf(value, `${path}/*`),
          options as { additionalProperties: false },
        );
      }
      const required = new Set((node.required ?? []) as string[]);
      const properties: Record<string, TSchema> = {};
      for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) {
        const schema = typeboxOf(child, `${path}/${name}`);
        properties[name] = required.has(name) ? schema : Type.Optional(schema);
      }
      return Type.Object(properties, options as { additionalProperties: boolean });
    }
    default:
      throw new Error(`no TypeBox schema for the released schema at ${path || '/'}: ${JSON.stringify(node)}`);
  }
}
