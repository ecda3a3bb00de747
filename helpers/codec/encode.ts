import type { DecodeResult, EventContract } from './decode.ts';
import { createDecoder } from './decode.ts';

/** The outcome of encoding: the bytes to put on Kafka, or why the event is refused. */
export type EncodeResult = { ok: true; bytes: Buffer } | Extract<DecodeResult<never>, { ok: false }>;

/**
 * Builds the encoder our producer uses: JSON bytes that the strict decoder accepts, checked on the
 * very bytes (so a value JSON cannot represent exactly, like NaN or 2^53+1, is refused, not sent).
 */
export function createEncoder<T>(contract: EventContract<T>): (event: T) => EncodeResult {
  const decode = createDecoder(contract, { unknownFields: 'reject' });
  return (event) => {
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
    return checked.ok ? { ok: true, bytes } : checked;
  };
}
