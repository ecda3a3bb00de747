// Our validators against ajv on the same events: the compiled TypeBox check, and the full decoder on bytes.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ratingJsonSchema from '../../contracts/generated/rating-event.schema.json' with { type: 'json' };
import { RatingEvent } from '../../contracts/rating.ts';
import { decodeRating } from '../../helpers/codec/events.ts';
import { randomRatings } from '../../helpers/sources/random-ratings.ts';
import type { ValidatorRow } from '../results.ts';

/** A JIT gets this many calls of each validator before anything is timed. */
const WARMUP = 100_000;

/** Times the four validators over `events` seeded ratings, each over the whole set once. */
export function measureValidators(seed: number, events: number): ValidatorRow[] {
  const objects = [...randomRatings(seed, events)];
  const encoder = new TextEncoder();
  const bytes = objects.map((event) => encoder.encode(JSON.stringify(event)));

  const typebox = TypeCompiler.Compile(RatingEvent);
  const decode = decodeRating();
  const ajv = new Ajv2020({ strict: true });
  const ajvValidate = ajv.compile(ratingJsonSchema);
  // What a consumer without our decoder would do: the same fatal UTF-8 decoding, JSON.parse, ajv.
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  const candidates: { name: string; input: ValidatorRow['input']; check: (index: number) => boolean }[] = [
    {
      name: 'TypeBox TypeCompiler.Compile(RatingEvent).Check',
      input: 'objects',
      check: (i) => typebox.Check(objects[i]),
    },
    {
      name: 'ajv 2020 strict, generated JSON Schema',
      input: 'objects',
      check: (i) => ajvValidate(objects[i]),
    },
    {
      name: 'ours: decodeRating() (UTF-8, JSON with literal checks, TypeBox)',
      input: 'bytes',
      check: (i) => decode(bytes[i]).ok,
    },
    {
      name: 'UTF-8 + JSON.parse + ajv 2020 strict',
      input: 'bytes',
      check: (i) => ajvValidate(JSON.parse(utf8.decode(bytes[i]))),
    },
  ];
  const warm = Math.min(WARMUP, events);
  for (const { check } of candidates) for (let i = 0; i < warm; i++) check(i);

  return candidates.map(({ name, input, check }) => {
    let valid = 0;
    const started = performance.now();
    for (let i = 0; i < events; i++) if (check(i)) valid++;
    const seconds = (performance.now() - started) / 1000;
    return { name, input, events, valid, seconds, opsPerSecond: events / seconds };
  });
}
