// Formatting a node's KRaft storage before its first start (kafka.tools.StorageTool).
import { randomBytes } from 'node:crypto';
import { runTool } from '../../tools/run-tool.ts';
import { SHORT_LIVED_JVM_FLAGS } from '../jvm-flags.ts';

/** A KRaft cluster id: 16 random bytes, base64url without padding, never starting with `-`. */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** What {@link formatStorage} needs: the JVM, the node's files, and extra format arguments. */
export interface FormatRequest {
  java: string;
  classpath: string;
  configFile: string;
  log4jFile: string;
  logsDir: string;
  workDir: string;
  dataDir: string;
  clusterId: string;
  /** `--standalone`, or `--initial-controllers ...` for a quorum of several nodes. */
  quorumArgs: readonly string[];
  /** E.g. `--add-scram` credentials; masked in any failure message, as they may hold passwords. */
  formatArgs: readonly string[];
}

/** Formats the node's storage; throws an InfrastructureError with StorageTool's output, secrets masked. */
export async function formatStorage(request: FormatRequest): Promise<void> {
  await runTool(
    request.java,
    [
      '-Xmx256m',
      ...SHORT_LIVED_JVM_FLAGS,
      `-Dlog4j2.configurationFile=${request.log4jFile}`,
      `-Dkafka.logs.dir=${request.logsDir}`,
      '-cp',
      request.classpath,
      'kafka.tools.StorageTool',
      'format',
      '--cluster-id',
      request.clusterId,
      '--config',
      request.configFile,
      ...request.quorumArgs,
      ...request.formatArgs,
    ],
    {
      cwd: request.workDir,
      // The failed command line (and StorageTool's complaint about an argument) would echo credentials.
      secrets: request.formatArgs.filter((arg) => !arg.startsWith('--')),
      purpose: `Formatting the KRaft storage in ${request.dataDir} with kafka.tools.StorageTool failed`,
    },
  );
}
