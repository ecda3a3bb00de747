// How each event may change between releases, in Confluent Schema Registry's terms. BACKWARD: readers
// built from the working contract read data written under earlier releases (consumers upgrade first, and
// records already retained in the topic are replayed by new readers). FORWARD: readers built from earlier
// releases read data the working producers write (producers upgrade first). FULL: both. _TRANSITIVE:
// against every release of the current major line, not only the latest. NONE: no check.

/**
 * The kinds of reader the project ships, which differ only in what they do with a field their schema does
 * not declare: `strict` (our decoder; refuses it at every level), `tolerant` (our decoder with
 * unknownFields: ignore; ignores it at the top level), `spark` (from_json; ignores it at every level).
 */
export type ReaderKind = 'strict' | 'tolerant' | 'spark';

/** Every reader kind, in report order. */
export const READER_KINDS: readonly ReaderKind[] = ['strict', 'tolerant', 'spark'];

/** A compatibility mode, as Confluent Schema Registry names them. */
export type CompatibilityMode =
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE'
  | 'NONE';

/** Every mode, for usage messages. */
export const COMPATIBILITY_MODES: readonly CompatibilityMode[] = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
];

/** An event's declared mode and the reason for it (printed by the check). */
export interface EventCompatibility {
  mode: CompatibilityMode;
  why: string;
}

/** Each event's mode, by its schema title. */
export const EVENT_COMPATIBILITY: Readonly<Record<string, EventCompatibility>> = {
  RatingEvent: {
    mode: 'FULL_TRANSITIVE',
    why:
      'the Spark job and other readers are deployed at the release they were built against and read what ' +
      'today’s producers write (forward), and 7 days of ratings are replayed by readers of the new release ' +
      '(backward); several releases can be live at once, so every release of the line counts',
  },
  MetricEvent: {
    mode: 'FULL_TRANSITIVE',
    why:
      'metrics are written by the Spark job at its pinned release and by our flows at the working one, and ' +
      'read by a dashboard deployed on its own schedule over 30 days of retained metrics: both directions, ' +
      'against every release still writing or reading',
  },
};

/** The directions a mode checks. */
export function directionsOf(mode: CompatibilityMode): { backward: boolean; forward: boolean } {
  if (mode === 'NONE') return { backward: false, forward: false };
  return {
    backward: mode.startsWith('BACKWARD') || mode.startsWith('FULL'),
    forward: mode.startsWith('FORWARD') || mode.startsWith('FULL'),
  };
}

/** Whether a mode checks every release of the line, not only the latest. */
export const isTransitive = (mode: CompatibilityMode): boolean => mode.endsWith('_TRANSITIVE');
