// Kafka's own Java tools, run from the jars the native broker uses, the way kafka-run-class.sh runs them.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KAFKA_JVM_FLAGS } from '../../helpers/kafka/jvm-flags.ts';
import { findJava } from '../../helpers/kafka/native.ts';

/** The java executable and the classpath holding kafka-tools. */
export interface JavaTools {
  java: string;
  libsDir: string;
  /** Version of the kafka-tools jar, e.g. `4.1.1`. */
  version: string;
}

/** The heap kafka-producer-perf-test.sh and kafka-consumer-perf-test.sh give the tools. */
const TOOL_HEAP = '-Xmx512M';

/** Finds Java and the jars (resolving them with Maven on first use); throws naming what is missing. */
export function javaTools(): JavaTools {
  const java = findJava();
  if (java === undefined)
    throw new Error('No Java >= 17 on JAVA_HOME or PATH: ProducerPerformance needs one');
  const script = fileURLToPath(new URL('../../helpers/kafka/jars/resolve.sh', import.meta.url));
  const folder = execFileSync('bash', [script], { encoding: 'utf8', maxBuffer: 16 << 20 })
    .trim()
    .split('\n')
    .at(-1);
  if (!folder) throw new Error(`${script} printed no folder`);
  const libsDir = join(folder, 'libs');
  const jar = readdirSync(libsDir).find((file) => /^kafka-tools-\d.*\.jar$/.test(file));
  if (!jar) throw new Error(`No kafka-tools jar in ${libsDir}`);
  return { java, libsDir, version: jar.replace(/^kafka-tools-|\.jar$/g, '') };
}

/** The java command line that runs `mainClass` with `args`. */
export function javaArgs(tools: JavaTools, mainClass: string, args: string[]): string[] {
  return [TOOL_HEAP, ...KAFKA_JVM_FLAGS, '-cp', join(tools.libsDir, '*'), mainClass, ...args];
}
