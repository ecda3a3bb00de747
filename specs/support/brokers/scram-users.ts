// SCRAM users created in a running KafkaContainer, without their passwords ever reaching a command line.

import type { StartedTestContainer } from 'testcontainers';
import { InfrastructureError } from '../../../helpers/errors.ts';
import { maskSecrets } from '../../../helpers/tools/run-tool.ts';

/** A SCRAM user: a name and its password. */
export interface ScramUser {
  readonly name: string;
  readonly password: string;
}

/** Where the throwaway script goes; it removes itself as it starts. */
const SCRIPT = '/tmp/create-scram-users.sh';

/**
 * Creates SCRAM-SHA-512 credentials for `users` with kafka-configs over the container's internal
 * PLAINTEXT listener (its unauthenticated principal is a super user). The commands travel in a file:
 * an exec's command line shows up in `ps` and in testcontainers' debug log, a file's content does not.
 */
export async function createScramUsers(container: StartedTestContainer, users: ScramUser[]): Promise<void> {
  const commands = users.map(
    (user) =>
      `kafka-configs --bootstrap-server localhost:9092 --alter --entity-type users --entity-name '${user.name}' ` +
      `--add-config 'SCRAM-SHA-512=[password=${user.password}]' &`,
  );
  // One JVM per user, in parallel: each takes a few seconds to start.
  const script = [
    '#!/bin/bash',
    'rm -f -- "$0"',
    ...commands,
    'status=0',
    'for job in $(jobs -p); do wait "$job" || status=1; done',
    'exit "$status"',
    '',
  ].join('\n');
  await container.copyContentToContainer([{ content: script, target: SCRIPT, mode: 0o700 }]);
  const { exitCode, output } = await container.exec(['bash', SCRIPT]);
  if (exitCode !== 0) {
    const masked = maskSecrets(
      output,
      users.map((user) => user.password),
    );
    throw new InfrastructureError(
      `kafka-configs could not create the SCRAM users ${users.map((user) => user.name).join(', ')} ` +
        `(exit ${exitCode}): ${masked.trim()}`,
    );
  }
}
