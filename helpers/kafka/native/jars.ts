// The Apache Kafka jars the native broker runs: resolved by Maven (helpers/kafka/jars/), cached.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InfrastructureError } from '../../errors.ts';
import { runTool } from '../../tools/run-tool.ts';

/** Resolves the Kafka jars with Maven (cached after the first run) and returns their folder. */
export async function resolveLibsDir(): Promise<string> {
  const script = fileURLToPath(new URL('../jars/resolve.sh', import.meta.url));
  const stdout = await runTool('bash', [script], {
    secrets: [],
    purpose: `Could not resolve the Kafka jars with ${script} (needs Maven)`,
  });
  const folder = stdout.trim().split('\n').at(-1);
  if (!folder) throw new InfrastructureError(`${script} printed no folder`);
  return join(folder, 'libs');
}

/** The Apache Kafka version of the broker jar in the folder. */
export async function kafkaVersionIn(libsDir: string): Promise<string> {
  const files = await readdir(libsDir).catch(() => [] as string[]);
  for (const file of files) {
    const match = /^kafka_2\.\d+-(.+)\.jar$/.exec(file);
    if (match?.[1]) return match[1];
  }
  throw new InfrastructureError(
    `No kafka_2.13-<version>.jar in ${libsDir}: expected the jars helpers/kafka/jars/resolve.sh fetches`,
  );
}
