import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { DecodeResult, EventContract } from './decode.ts';
import { createDecoder } from './decode.ts';
import { createSerializer } from './serialize.ts';

/** The outcome of encoding: the bytes to put on Kafka, or why the event is refused. */
export type EncodeResult = { ok: true; bytes: Buffer } | Extract<DecodeResult<never>, { ok: false }>;

/**
 * Builds the encoder our producer uses: JSON bytes that the strict decoder accepts, so a value JSON
 * cannot carry exactly (NaN, 2^53+1, an unknown field) is refused, never sent.
 *
 * Doubles are written with their decimal point (`5.0`, see serialize.ts), as the reference producer does.
 *
 * Fast path: an object the compiled schema accepts serialises to bytes the decoder accepts too (a safe
 * integer is written as an integer literal, and the schema caps integers at 2^53-1), so only the size
 * limit and the cross-field rules remain to check. Anything else takes the full decode of its bytes,
 * which names every broken field.
 */
export function createEncoder<T>(contract: EventContract<T>): (event: T) => EncodeResult {
  const decode = createDecoder(contract, { unknownFields: 'reject' });
  const check = TypeCompiler.Compile(contract.schema);
  const serialize = createSerializer(contract.schema);
  return (event) => {
    if (check.Check(event)) {
      const text = serialize(event);
      if (text !== undefined) {
        const bytes = Buffer.from(text, 'utf8');
        if (bytes.byteLength <= contract.maxBytes && (contract.invariants?.(event).length ?? 0) === 0)
          return { ok: true, bytes };
      }
    }
    // The slow way, for what the schema refuses: the plain JSON text, decoded to name every broken field.
    let bytes: Buffer;
    try {
      bytes = Buffer.from(JSON.stringify(event) ?? '', 'utf8');
    } catch (error) {
      return {
        ok: false,
        kind: 'not-json',
        message: `event cannot be written as JSON: ${String(error)}`,
        errors: [],
      };
    }
    const checked = decode(bytes);
    return checked.ok
      ? { ok: true, bytes: Buffer.from(serialize(checked.value) ?? bytes.toString('utf8')) }
      : checked;
  };
}
