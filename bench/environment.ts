// The machine and software a benchmark ran on: figures mean little without them.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { StartedBroker } from '../helpers/kafka/types.ts';
import type { BenchEnvironment } from './results.ts';
import type { JavaTools } from './tools/java-tools.ts';
import { kcatVersion } from './tools/kcat.ts';

/** Describes this machine, the clients and the broker. */
export function describeEnvironment(broker: StartedBroker, tools: JavaTools): BenchEnvironment {
  const require = createRequire(import.meta.url);
  const version = (name: string): string => (require(`${name}/package.json`) as { version: string }).version;
  return {
    date: new Date().toISOString(),
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: loadAverage(),
    loadAverageAtEnd: [],
    node: process.version,
    kafkajs: version('kafkajs'),
    platformatic: platformaticVersion(),
    kafkaTools: `Apache Kafka ${tools.version} tools (Java ${javaVersion(tools.java)})`,
    kcat: kcatVersion(),
    provider: broker.provider,
    broker: broker.description,
  };
}

/** @platformatic/kafka's `exports` hides its package.json: read it next to the resolved entry (dist/index.js). */
function platformaticVersion(): string {
  const manifest = fileURLToPath(new URL('../package.json', import.meta.resolve('@platformatic/kafka')));
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** The 1, 5 and 15 minute load averages, two decimals. */
export const loadAverage = (): number[] => loadavg().map((load) => Math.round(load * 100) / 100);

function javaVersion(java: string): string {
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  return /version "([^"]+)"/.exec(result.stderr)?.[1] ?? 'unknown';
}
