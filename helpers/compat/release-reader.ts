// The decoder a consumer builds from a release's JSON Schema, for its kind of reader: what a deployed
// reader of that release accepts. Read back as TypeBox (release-schema.ts), so it is the project's own
// decoder, enforcing every rule of the release; only unknown fields are judged per reader kind (readers.ts).
import type { ReaderKind } from '../../contracts/compatibility.ts';
import { createDecoder, type Decoder, type FieldError } from '../codec/decode.ts';
import { typeboxOf } from './release-schema.ts';
import type { JsonSchema } from './schema-diff.ts';

/** What a release's JSON Schema does not carry: the size limit and the cross-field rules (code, not data). */
export interface ReleaseReaderOptions {
  maxBytes: number;
  invariants: ((event: never) => FieldError[]) | undefined;
}

/** Every object level of `json` made open: what a reader that ignores unknown fields everywhere checks. */
export function openEverywhere(json: JsonSchema): JsonSchema {
  const copy = structuredClone(json);
  const walk = (node: JsonSchema) => {
    if (node.type === 'object' && node.patternProperties === undefined) node.additionalProperties = true;
    for (const child of Object.values((node.properties ?? {}) as Record<string, JsonSchema>)) walk(child);
  };
  walk(copy);
  return copy;
}

/** A decoder of `kind` built from `json`, as a consumer built against that schema builds it. */
export function releaseReader(
  json: JsonSchema,
  kind: ReaderKind,
  options: ReleaseReaderOptions,
): Decoder<unknown> {
  const schema = typeboxOf(kind === 'spark' ? openEverywhere(json) : json) as never;
  return createDecoder(
    { schema, maxBytes: options.maxBytes, ...(options.invariants ? { invariants: options.invariants } : {}) },
    { unknownFields: kind === 'strict' ? 'reject' : 'ignore' },
  );
}
