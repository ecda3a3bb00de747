// What the consumer specs assert about a pact file: the same bytes on every run, nothing run-dependent in it.
import { expect } from 'vitest';

/** Two independent writes of one pact are byte-identical, sorted and dated nowhere. */
export function expectDeterministicPact(first: Buffer, second: Buffer): void {
  const text = first.toString('utf8');
  expect(second.toString('utf8'), 'a second write of the same pact differs').toBe(text);
  // Sorted keys at every level: no map iteration order can leak into the file.
  expect(sortedJson(JSON.parse(text)), 'pact keys are not sorted').toBe(text);
  expect(text, 'the pact carries a date').not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  // Pact adds a generator (a random value per run) to a matcher built without an example.
  expect(text, 'the pact asks for generated values').not.toContain('"generators"');
}

function sortedJson(value: unknown): string {
  const sort = (node: unknown): unknown =>
    Array.isArray(node)
      ? node.map(sort)
      : typeof node === 'object' && node !== null
        ? Object.fromEntries(
            Object.keys(node)
              .sort()
              .map((key) => [key, sort((node as Record<string, unknown>)[key])]),
          )
        : node;
  return JSON.stringify(sort(value), null, 2);
}
