// The kinds of reader this project ships, and what each one does with a field it does not know: the one
// way in which they judge the same record differently. Every other rule (types, ranges, grids, patterns,
// members, required fields) every reader enforces alike: our decoder from the schema, the Spark job from
// the JSON Schema it reads (helpers/spark/ratings_to_metrics.py refuses a contract rule it cannot enforce).

import type { ReaderKind } from '../../contracts/compatibility.ts';

export { READER_KINDS, type ReaderKind } from '../../contracts/compatibility.ts';

/** Who each kind of reader is, for a person reading a verdict. */
export const READER_DESCRIPTIONS: Readonly<Record<ReaderKind, string>> = {
  strict: 'strict decoder (ratings-kafka consume, the dashboard): refuses unknown fields at every level',
  tolerant: 'tolerant decoder (unknownFields: ignore): ignores unknown top-level fields',
  spark: "Spark job (from_json and the contract's refusals): ignores unknown fields at every level",
};

/**
 * Whether a reader of `kind` refuses a field its schema does not declare, in an object `depth` levels
 * below the event (0: the event itself) whose schema says `closed` (`additionalProperties: false`).
 */
export function refusesUnknownFields(kind: ReaderKind, closed: boolean, depth: number): boolean {
  if (!closed) return false;
  if (kind === 'strict') return true;
  if (kind === 'tolerant') return depth > 0;
  return false;
}
