// Runs kcat (librdkafka), an independent Kafka client, for cross-checks.
import { spawn, spawnSync } from 'node:child_process';
import { prerequisite } from './prerequisite.ts';

/** The reason kcat specs are skipped, or undefined when kcat is on PATH; with KCAT_REQUIRED=true a missing kcat fails. */
export const kcatMissing: string | undefined = prerequisite({
  required: 'KCAT_REQUIRED',
  specs: 'kcat cross-checks',
  missing:
    spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0
      ? undefined
      : 'kcat is not installed (Debian package kcat)',
});

/** A test name that carries the skip reason, so the report says why the cross-check did not run. */
export const withKcat = (name: string): string => (kcatMissing ? `${name} (skipped: ${kcatMissing})` : name);

/** Runs kcat with the given arguments and stdin; rejects with its stderr on a non-zero exit. */
export function kcat(args: string[], input = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`kcat ${args.join(' ')} exited ${code}: ${err}`)),
    );
    child.stdin.end(input);
  });
}

/** Reads a whole topic from the beginning with kcat (`-e`: exits at the end) and returns one line per record. */
export async function kcatReadAll(brokers: string[], topic: string, format: string): Promise<string[]> {
  const out = await kcat([
    '-C',
    '-b',
    brokers.join(','),
    '-t',
    topic,
    '-o',
    'beginning',
    '-e',
    '-q',
    '-f',
    `${format}\n`,
  ]);
  return out.trim().split('\n');
}
