// One native node's files and JVM: what a single broker and each node of a cluster are made of.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KAFKA_JVM_FLAGS, SHORT_LIVED_JVM_FLAGS } from '../jvm-flags.ts';
import { KafkaJvm } from './jvm-process.ts';
import { LOG4J2_XML, toProperties } from './settings.ts';

/** Where one node keeps its config, data and logs, all under its work dir. */
export interface NodeFiles {
  workDir: string;
  dataDir: string;
  logsDir: string;
  configFile: string;
  log4jFile: string;
  /** The broker's log4j log. */
  logFile: string;
  /** What the JVM itself prints. */
  consoleFile: string;
}

/** The file layout of a node in `workDir`. */
export function nodeFiles(workDir: string): NodeFiles {
  const logsDir = join(workDir, 'logs');
  return {
    workDir,
    dataDir: join(workDir, 'data'),
    logsDir,
    configFile: join(workDir, 'server.properties'),
    log4jFile: join(workDir, 'log4j2.xml'),
    logFile: join(logsDir, 'server.log'),
    consoleFile: join(logsDir, 'console.log'),
  };
}

/** Creates the node's folders and writes its server.properties and log4j2 config. */
export async function writeNodeFiles(files: NodeFiles, settings: Record<string, string>): Promise<void> {
  await mkdir(files.dataDir, { recursive: true });
  await mkdir(files.logsDir, { recursive: true });
  await writeFile(files.configFile, toProperties(settings));
  await writeFile(files.log4jFile, LOG4J2_XML);
}

/** What {@link nodeJvm} needs besides the node's files. */
export interface NodeJvmSpec {
  java: string;
  classpath: string;
  /** Initial and maximum heap, `-Xmx` form. */
  heap: string;
  jvmFlags: readonly string[];
  /** The node's own bootstrap address(es): readiness is asked of this node, not of the cluster. */
  brokers: readonly string[];
  label: string;
  readyTimeoutMs: number;
  shutdownTimeoutMs: number;
  /** The folder its owner removes at stop: the node's own, or the cluster's. */
  ownedDir: string;
}

/** The broker JVM of a node: the project's JVM flags, a fixed heap, logs to the node's files. */
export function nodeJvm(files: NodeFiles, spec: NodeJvmSpec): KafkaJvm {
  return new KafkaJvm({
    java: spec.java,
    jvmArgs: [
      `-Xmx${spec.heap}`,
      `-Xms${spec.heap}`,
      ...KAFKA_JVM_FLAGS,
      ...SHORT_LIVED_JVM_FLAGS,
      ...spec.jvmFlags,
      `-Dlog4j2.configurationFile=${files.log4jFile}`,
      `-Dkafka.logs.dir=${files.logsDir}`,
      '-cp',
      spec.classpath,
    ],
    configFile: files.configFile,
    workDir: files.workDir,
    logFile: files.logFile,
    consoleFile: files.consoleFile,
    brokers: spec.brokers,
    label: spec.label,
    readyTimeoutMs: spec.readyTimeoutMs,
    shutdownTimeoutMs: spec.shutdownTimeoutMs,
    ownedDir: spec.ownedDir,
  });
}
