// The machine and software a benchmark ran on: figures mean little without them.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import type { StartedBroker } from '../helpers/kafka/types.ts';
import type { BenchEnvironment } from './results.ts';
import type { JavaTools } from './tools/java-tools.ts';
import { kcatVersion } from './tools/kcat.ts';

/** Describes this machine, the clients and the broker. */
export function describeEnvironment(broker: StartedBroker, tools: JavaTools): BenchEnvironment {
  const require = createRequire(import.meta.url);
  const kafkajs = (require('kafkajs/package.json') as { version: string }).version;
  return {
    date: new Date().toISOString(),
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: loadavg().map((load) => Math.round(load * 100) / 100),
    node: process.version,
    kafkajs,
    kafkaTools: `Apache Kafka ${tools.version} tools (Java ${javaVersion(tools.java)})`,
    kcat: kcatVersion(),
    provider: broker.provider,
    broker: broker.description,
  };
}

function javaVersion(java: string): string {
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  return /version "([^"]+)"/.exec(result.stderr)?.[1] ?? 'unknown';
}
