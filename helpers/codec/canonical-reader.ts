// The decoder's fastest path: reads the bytes our encoder writes for a flat object of numbers (the rating)
// straight from the buffer, without UTF-8 decoding or JSON.parse. It accepts only a strict subset of JSON
// and answers undefined for everything else, which then takes the full path; so every guarantee of the
// full path holds for what it accepts:
// - UTF-8: it accepts ASCII bytes only (valid UTF-8); any other byte, valid or not, goes the full way;
// - integer literals: an integer field must be `-?(0|[1-9]\d*)`, no fraction, no exponent;
// - digits beyond 2^53: a literal whose digits exceed Number.MAX_SAFE_INTEGER is not read here, so the
//   full path reports it with its original digits;
// - unknown, missing, repeated or reordered fields, whitespace, leading zeros: not read here.
import { type TObject, TypeGuard } from '@sinclair/typebox';

/** Reads one value's bytes into an object, or undefined when they are not in the canonical shape. */
export type CanonicalReader = (bytes: Uint8Array) => Record<string, number> | undefined;

const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const CLOSE = 0x7d;
/** Powers of ten up to 10^22 are exact doubles: a mantissa below 2^53 divided by one is correctly rounded. */
const MAX_FRACTION_DIGITS = 22;
const POWERS_OF_TEN = Array.from({ length: MAX_FRACTION_DIGITS + 1 }, (_, k) => 10 ** k);

/**
 * The reader of a schema whose properties are all integers or doubles, in schema order, every one
 * required; undefined for any other schema (the decoder then keeps its JSON.parse paths).
 */
export function createCanonicalReader(schema: TObject): CanonicalReader | undefined {
  const names = Object.keys(schema.properties);
  const required = new Set(schema.required ?? []);
  const fields = names.map((name, index) => {
    const property = schema.properties[name]!;
    return {
      name,
      integer: TypeGuard.IsInteger(property),
      number: TypeGuard.IsInteger(property) || TypeGuard.IsNumber(property),
      // `{"userId":` for the first field, `,"movieId":` for the others; names are ASCII in our contracts.
      prefix: Buffer.from(`${index === 0 ? '{' : ','}${JSON.stringify(name)}:`, 'latin1'),
    };
  });
  const asciiNames = names.every((name) => /^[\x20-\x7e]*$/.test(name) && !/["\\]/.test(name));
  if (names.length === 0 || !asciiNames || !fields.every((field) => field.number && required.has(field.name)))
    return undefined;

  return (bytes) => {
    const end = bytes.length;
    let at = 0;
    const value: Record<string, number> = {};
    for (const field of fields) {
      const prefix = field.prefix;
      if (at + prefix.length > end) return undefined;
      for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return undefined;
      at += prefix.length;

      const negative = bytes[at] === MINUS;
      if (negative) at++;
      // JSON forbids leading zeros: `0` alone, or a non-zero digit first.
      const first = at;
      let mantissa = 0;
      let digits = 0;
      while (at < end && bytes[at]! >= ZERO && bytes[at]! <= NINE) {
        mantissa = mantissa * 10 + (bytes[at]! - ZERO);
        at++;
        digits++;
      }
      if (digits === 0 || (digits > 1 && bytes[first] === ZERO)) return undefined;
      let fraction = 0;
      if (bytes[at] === DOT) {
        if (field.integer) return undefined;
        at++;
        while (at < end && bytes[at]! >= ZERO && bytes[at]! <= NINE) {
          mantissa = mantissa * 10 + (bytes[at]! - ZERO);
          at++;
          fraction++;
        }
        if (fraction === 0 || fraction > MAX_FRACTION_DIGITS) return undefined;
      }
      // Past 2^53 the sum above may have rounded: leave such digits to the full path, which reports them.
      if (mantissa > Number.MAX_SAFE_INTEGER) return undefined;
      const magnitude = fraction === 0 ? mantissa : mantissa / POWERS_OF_TEN[fraction]!;
      value[field.name] = negative ? -magnitude : magnitude;
    }
    return at === end - 1 && bytes[at] === CLOSE ? value : undefined;
  };
}
