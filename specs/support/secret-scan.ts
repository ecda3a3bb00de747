// Looks for secrets in what a run left behind, and reports where without repeating them: a leak report
// that printed the password would itself be the leak.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Where each secret occurs in the named texts, with every secret masked in the surrounding context. */
export function secretSightings(texts: Record<string, string>, secrets: readonly string[]): string[] {
  const mask = (text: string) =>
    secrets.reduce((masked, secret, index) => masked.replaceAll(secret, `<secret #${index + 1}>`), text);
  const sightings: string[] = [];
  for (const [where, text] of Object.entries(texts)) {
    secrets.forEach((secret, index) => {
      for (let at = text.indexOf(secret); at !== -1; at = text.indexOf(secret, at + secret.length)) {
        const context = mask(text.slice(Math.max(0, at - 60), at + secret.length + 60)).replaceAll(
          '\n',
          '\\n',
        );
        sightings.push(`secret #${index + 1} in ${where} at ${at}: ...${context}...`);
      }
    });
  }
  return sightings;
}

/** Every file under `dir` (recursively) changed at or after `sinceMs`, by path, as text. */
export async function filesUnder(dir: string, sinceMs = 0): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await stat(path)).mtimeMs < sinceMs) continue;
    // latin1 keeps every byte: a secret in a binary file is still found.
    files[path] = await readFile(path, 'latin1');
  }
  return files;
}
