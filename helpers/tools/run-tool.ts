// The one way this project runs an external tool (Kafka's StorageTool, keytool, kafka-configs, the Pact
// CLI) and reports its failure: what it printed, with every secret it was given masked. A failed
// command's own message repeats its command line, which is where passwords hide.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { InfrastructureError } from '../errors.ts';

const execFileAsync = promisify(execFile);

/** What a masked secret reads as. */
export const MASK = '***';

/** `text` with every occurrence of every secret replaced by {@link MASK}; empty secrets are ignored. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  return secrets
    .filter((secret) => secret.length > 0)
    .reduce((masked, secret) => masked.split(secret).join(MASK), text);
}

/** Options of {@link runTool}. */
export interface ToolOptions {
  /** Values to mask in anything reported: passwords, tokens, arguments that carry them. */
  secrets: readonly string[];
  /** What the run is for, as the start of the failure message: "keytool could not create the certificate". */
  purpose: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs `file args` to completion and resolves with its stdout; on failure throws an
 * {@link InfrastructureError} that says what it was for and what the tool printed, secrets masked.
 */
export async function runTool(file: string, args: readonly string[], options: ToolOptions): Promise<string> {
  try {
    const { stdout } = await execFileAsync(file, [...args], {
      maxBuffer: 16 * 1024 * 1024,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
    return stdout;
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string };
    const printed = [output.stdout, output.stderr].join('\n').trim();
    const reason = printed || (error instanceof Error ? error.message : String(error));
    throw new InfrastructureError(`${options.purpose}: ${maskSecrets(reason, options.secrets)}`);
  }
}
