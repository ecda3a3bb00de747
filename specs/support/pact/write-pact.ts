// Writes consumer pacts: each run into a fresh folder, then installed into `pacts/` by an atomic rename.
// Pact's own merge into an existing file would keep an interaction whose description was renamed, and a
// verifier reading `pacts/` while Pact rewrites it in place could see half a file.
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Pact, SpecificationVersion } from '@pact-foundation/pact';
import { PACT_DIR, PACT_PROVIDER, pactFile } from '../../../contracts/pact.ts';

/** A Pact V4 consumer pact of `consumer` with our provider, written into `dir`. */
export function consumerPact(consumer: string, dir: string): Pact {
  return new Pact({
    consumer,
    provider: PACT_PROVIDER,
    dir,
    spec: SpecificationVersion.SPECIFICATION_VERSION_V4,
    logLevel: 'warn',
  });
}

/**
 * Runs `interactions` against a fresh pact of `consumer` in a temporary folder and returns the bytes Pact
 * wrote. Rejects (writing nothing) when an interaction's test fails.
 */
export async function writePact(
  consumer: string,
  interactions: (pact: Pact) => Promise<unknown>,
): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'pact-'));
  try {
    await interactions(consumerPact(consumer, dir));
    return readFileSync(join(dir, basename(pactFile(consumer))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Replaces `pacts/<consumer>-<provider>.json` with `bytes`: readers see the old file or the new one, never half. */
export function installPact(consumer: string, bytes: Buffer): string {
  const target = pactFile(consumer);
  mkdirSync(PACT_DIR, { recursive: true });
  const temporary = join(PACT_DIR, `.${basename(target)}.${process.pid}.tmp`);
  writeFileSync(temporary, bytes);
  renameSync(temporary, target);
  return target;
}
