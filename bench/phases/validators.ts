// Our validators against ajv on the same events: the compiled TypeBox check, and the full decoder on bytes.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ratingJsonSchema from '../../contracts/generated/rating-event.schema.json' with { type: 'json' };
import { RatingEvent } from '../../contracts/rating.ts';
import { createEncoder } from '../../helpers/codec/encode.ts';
import { decodeRating, RATING_CONTRACT } from '../../helpers/codec/events.ts';
import { randomRatings } from '../../helpers/sources/random-ratings.ts';
import type { ValidatorRow } from '../results.ts';

/** A JIT gets this many calls of each validator before anything is timed. */
const WARMUP = 100_000;
/** Timed passes over the events per validator; the fastest counts. */
const PASSES = 5;

/**
 * Times the validators over `events` seeded ratings, best of {@link PASSES} passes over the whole set. The bytes are what our
 * producer writes (`"rating":5.0`); `decoder-bare` is our decoder on the same events written by
 * JSON.stringify (`"rating":5`), as another writer may: readers accept both, by a slower path.
 *
 * Each candidate has its own loop: with one shared loop calling all of them, the call site turns
 * megamorphic, nothing inlines, and the call itself (not the check) is what gets measured. That is
 * why TypeBox and ajv came out level before.
 */
export function measureValidators(seed: number, events: number): ValidatorRow[] {
  const objects = [...randomRatings(seed, events)];
  const encode = createEncoder(RATING_CONTRACT);
  const bytes = objects.map((event) => {
    const encoded = encode(event);
    if (!encoded.ok) throw new Error(`our encoder refused a seeded event: ${encoded.message}`);
    return new Uint8Array(encoded.bytes);
  });
  const encoder = new TextEncoder();
  const bareBytes = objects.map((event) => encoder.encode(JSON.stringify(event)));

  const typebox = TypeCompiler.Compile(RatingEvent);
  const decode = decodeRating();
  const ajv = new Ajv2020({ strict: true });
  const ajvValidate = ajv.compile(ratingJsonSchema);
  // What a consumer without our decoder would do: the same fatal UTF-8 decoding, JSON.parse, ajv.
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  const candidates: {
    id: ValidatorRow['id'];
    name: string;
    input: ValidatorRow['input'];
    /** Checks the first `n` inputs and returns how many passed. */
    run: (n: number) => number;
  }[] = [
    {
      id: 'typebox',
      name: 'TypeBox TypeCompiler.Compile(RatingEvent).Check',
      input: 'objects',
      run: (n) => {
        let valid = 0;
        for (let i = 0; i < n; i++) if (typebox.Check(objects[i])) valid++;
        return valid;
      },
    },
    {
      id: 'ajv',
      name: 'ajv 2020 strict, generated JSON Schema',
      input: 'objects',
      run: (n) => {
        let valid = 0;
        for (let i = 0; i < n; i++) if (ajvValidate(objects[i])) valid++;
        return valid;
      },
    },
    {
      id: 'decoder',
      name: 'ours: decodeRating() (UTF-8, JSON with literal checks, TypeBox), our bytes (5.0)',
      input: 'bytes',
      run: (n) => {
        let valid = 0;
        for (let i = 0; i < n; i++) if (decode(bytes[i]).ok) valid++;
        return valid;
      },
    },
    {
      id: 'plain',
      name: 'UTF-8 + JSON.parse + ajv 2020 strict, our bytes (5.0)',
      input: 'bytes',
      run: (n) => {
        let valid = 0;
        for (let i = 0; i < n; i++) if (ajvValidate(JSON.parse(utf8.decode(bytes[i])))) valid++;
        return valid;
      },
    },
    {
      id: 'decoder-bare',
      name: "ours: decodeRating() on another writer's bytes (JSON.stringify: 5, not 5.0)",
      input: 'bytes',
      run: (n) => {
        let valid = 0;
        for (let i = 0; i < n; i++) if (decode(bareBytes[i]).ok) valid++;
        return valid;
      },
    },
  ];
  const warm = Math.min(WARMUP, events);
  for (const { run } of candidates) run(warm);

  // Every candidate passes over the whole set PASSES times, taking turns; its fastest pass is the figure
  // (a pass of 100k checks takes milliseconds, so one preemption on a busy machine would decide it).
  const best = new Map<ValidatorRow['id'], { valid: number; seconds: number }>();
  for (let pass = 0; pass < PASSES; pass++) {
    for (const { id, run } of candidates) {
      const started = performance.now();
      const valid = run(events);
      const seconds = (performance.now() - started) / 1000;
      if (seconds < (best.get(id)?.seconds ?? Number.POSITIVE_INFINITY)) best.set(id, { valid, seconds });
    }
  }
  return candidates.map(({ id, name, input }) => {
    const { valid, seconds } = best.get(id)!;
    return { id, name, input, events, valid, seconds, opsPerSecond: events / seconds };
  });
}
