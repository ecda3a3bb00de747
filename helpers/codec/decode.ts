import { type TObject, type TSchema, TypeGuard } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { createCanonicalReader } from './canonical-reader.ts';
import { describeExpected, describeReceived } from './expected.ts';
import { createSerializer, type Serializer } from './serialize.ts';

/** Why a record is not a valid event. */
export type DecodeFailureKind =
  | 'null'
  | 'empty'
  | 'too-large'
  | 'not-utf8'
  | 'not-json'
  | 'not-object'
  | 'schema';

/** One field that broke the contract. */
export interface FieldError {
  /** JSON pointer of the field, e.g. `/userId`; `/` for the whole value. */
  path: string;
  expected: string;
  received: string;
}

/** The outcome of decoding one record; never an exception. */
export type DecodeResult<T> =
  | { ok: true; value: T; ignoredFields: string[] }
  | { ok: false; kind: DecodeFailureKind; message: string; errors: FieldError[] };

/** An event type the decoder can check: its schema, size limit and cross-field rules. */
export interface EventContract<T> {
  schema: TObject;
  maxBytes: number;
  invariants?: (event: T) => FieldError[];
}

/** Decoder options. */
export interface DecodeOptions {
  /**
   * `reject`: a field the schema does not declare is an error (our producer and gatekeeping consumer).
   * `ignore`: unknown fields are dropped and listed (a tolerant downstream reader, like Spark's from_json).
   */
  unknownFields: 'reject' | 'ignore';
}

/** Decodes bytes to an event or to a classified, per-field failure. */
export type Decoder<T> = (bytes: Uint8Array | null | undefined) => DecodeResult<T>;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const INTEGER_LITERAL = /^-?(0|[1-9]\d*)$/;

/**
 * Builds a strict decoder: bytes → UTF-8 (fatal: a lenient decoder would substitute U+FFFD) → JSON →
 * schema. Integer fields must be written as integer literals (`1.7e12` is a float to a Java reader),
 * and integers beyond 2^53 are reported with their original digits, never rounded.
 */
export function createDecoder<T>(
  contract: EventContract<T>,
  options: Partial<DecodeOptions> = {},
): Decoder<T> {
  const unknownFields = options.unknownFields ?? 'reject';
  const schema: TObject =
    unknownFields === 'reject'
      ? contract.schema
      : ({ ...contract.schema, additionalProperties: true } as TObject);
  const check = TypeCompiler.Compile(schema);
  const integerPaths = collectIntegerPaths(contract.schema);
  const serialize = createSerializer(contract.schema);
  // Flat number-only events (the rating) are read from the bytes when canonical; see canonical-reader.ts.
  const readCanonical = createCanonicalReader(contract.schema);

  /**
   * The fast path's verdict on a canonical value: the schema holds, every integer field is a safe
   * integer (so its canonical literal has no fraction or exponent), and the invariants hold. Anything
   * else goes the slow way, which finds the same verdict and explains it.
   */
  const acceptsCanonical = (value: object): boolean =>
    check.Check(value) &&
    integerPaths.every((segments) => {
      const field = valueAt(value, segments);
      return field === undefined || Number.isSafeInteger(field);
    }) &&
    (contract.invariants === undefined || contract.invariants(value as T).length === 0);

  const accepted = (value: object): DecodeResult<T> => {
    // hasOwn, not `in`: a field named `constructor` or `__proto__` is not declared by inheritance.
    const ignoredFields = Object.keys(value).filter((key) => !Object.hasOwn(contract.schema.properties, key));
    for (const key of ignoredFields) delete (value as Record<string, unknown>)[key];
    return { ok: true, value: value as T, ignoredFields };
  };

  return (bytes) => {
    try {
      if (bytes === null || bytes === undefined)
        return failure('null', 'record value is null (a tombstone), expected a JSON object');
      if (bytes.byteLength === 0) return failure('empty', 'record value is empty, expected a JSON object');
      if (bytes.byteLength > contract.maxBytes) {
        return failure(
          'too-large',
          `record value is ${bytes.byteLength} bytes, the limit is ${contract.maxBytes}`,
        );
      }
      if (readCanonical !== undefined) {
        const value = readCanonical(bytes);
        // Exactly the declared fields, so nothing to ignore; integers are safe literals by construction.
        if (
          value !== undefined &&
          check.Check(value) &&
          (contract.invariants === undefined || contract.invariants(value as T).length === 0)
        )
          return { ok: true, value: value as T, ignoredFields: [] };
      }
      let text: string;
      try {
        text = utf8.decode(bytes);
      } catch {
        return failure('not-utf8', 'record value is not valid UTF-8');
      }
      const canonical = parseCanonical(text, serialize);
      if (canonical !== undefined && acceptsCanonical(canonical)) return accepted(canonical);
      const literals = new WeakMap<object, Map<string, string>>();
      let parsed: unknown;
      try {
        parsed = JSON.parse(
          text,
          function (this: object, key: string, value: unknown, context?: { source?: string }) {
            const source = context?.source;
            if (
              typeof value === 'number' &&
              source !== undefined &&
              !(INTEGER_LITERAL.test(source) && Number.isSafeInteger(value))
            ) {
              const byKey = literals.get(this) ?? new Map<string, string>();
              literals.set(this, byKey.set(key, source));
            }
            return value;
          },
        );
      } catch (error) {
        return failure('not-json', `record value is not JSON: ${(error as Error).message}`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return failure('not-object', `record value is ${describeReceived(parsed)}, expected a JSON object`);
      }
      const errors = schemaErrors(check, parsed, literals, integerPaths);
      if (errors.length === 0 && contract.invariants) errors.push(...contract.invariants(parsed as T));
      if (errors.length > 0) {
        return { ok: false, kind: 'schema', message: errors.map(formatFieldError).join('; '), errors };
      }
      return accepted(parsed);
    } catch (error) {
      // Defensive: nothing above should throw, but a decoder that throws stalls a kafkajs consumer.
      return failure('not-json', `record value could not be decoded: ${String(error)}`);
    }
  };
}

/** The field a JSON pointer names, dotted and unescaped: `/tags/a~1b` → `tags.a/b`; `/` → `value`. */
export function fieldName(path: string): string {
  if (path === '/' || path === '') return 'value';
  return path
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .join('.');
}

/** `userId: expected an integer from 1 to 138493, received -1`. */
export function formatFieldError(error: FieldError): string {
  return `${fieldName(error.path)}: expected ${error.expected}, received ${error.received}`;
}

/**
 * The parsed object when `text` is exactly what our encoder writes for it (see serialize.ts), else
 * undefined. Such a text holds only canonical literals: an integer is written without fraction or
 * exponent, so the literal-recording reviver (several times the cost of the parse) has nothing to find.
 */
function parseCanonical(text: string, serialize: Serializer): object | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return serialize(value) === text ? value : undefined;
}

function valueAt(root: object, segments: string[]): unknown {
  let value: unknown = root;
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function failure(kind: DecodeFailureKind, message: string): DecodeResult<never> {
  return { ok: false, kind, message, errors: [] };
}

function schemaErrors(
  check: ReturnType<typeof TypeCompiler.Compile>,
  value: object,
  literals: WeakMap<object, Map<string, string>>,
  integerPaths: string[][],
): FieldError[] {
  const byPath = new Map<string, FieldError>();
  if (!check.Check(value)) {
    for (const error of check.Errors(value)) {
      const path = error.path || '/';
      // One error per field: the first names the broken rule; later ones repeat it in other words.
      if (byPath.has(path)) continue;
      const [holder, key] = locate(value, path);
      const source = holder && key !== undefined ? literals.get(holder)?.get(key) : undefined;
      byPath.set(path, {
        path,
        expected:
          error.type === ValueErrorType.ObjectAdditionalProperties
            ? 'no such field (the contract is strict)'
            : describeExpected(error.schema),
        received: source ?? describeReceived(error.value),
      });
    }
  }
  // JSON.parse turns 1.7e12 into an integer; a Java long reader does not, so the literal decides.
  for (const segments of integerPaths) {
    const path = `/${segments.join('/')}`;
    if (byPath.has(path)) continue;
    const [holder, key] = locate(value, path);
    const source = holder && key !== undefined ? literals.get(holder)?.get(key) : undefined;
    if (source !== undefined)
      byPath.set(path, { path, expected: 'an integer literal (no fraction, no exponent)', received: source });
  }
  return [...byPath.values()];
}

function locate(root: object, path: string): [object | undefined, string | undefined] {
  const segments = path.split('/').slice(1);
  let holder: unknown = root;
  for (const segment of segments.slice(0, -1)) {
    holder = typeof holder === 'object' && holder !== null ? Reflect.get(holder, segment) : undefined;
  }
  return typeof holder === 'object' && holder !== null ? [holder, segments.at(-1)] : [undefined, undefined];
}

function collectIntegerPaths(schema: TSchema, prefix: string[] = []): string[][] {
  if (TypeGuard.IsInteger(schema)) return [prefix];
  if (TypeGuard.IsObject(schema)) {
    return Object.entries(schema.properties).flatMap(([key, child]) =>
      collectIntegerPaths(child, [...prefix, key]),
    );
  }
  return [];
}
