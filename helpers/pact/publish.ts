// `npm run pact:publish`: publishes every pact in pacts/ to the Pact Broker, as the consumer versions of the
// commit being built, on its branch. Usage: PACT_BROKER_BASE_URL=... PACT_BROKER_TOKEN=... npm run pact:publish

import { readdirSync } from 'node:fs';
import { PACT_DIR } from '../../contracts/pact.ts';
import { InfrastructureError } from '../errors.ts';
import { brokerScript } from './broker-cli.ts';
import { gitBranch, gitCommit } from './git.ts';

await brokerScript({
  args: ({ baseUrl }) => {
    if (!readdirSync(PACT_DIR).some((name) => name.endsWith('.json')))
      throw new InfrastructureError(`no pact files in ${PACT_DIR}: run npm run test:contract first`);
    const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = process.env;
    const buildUrl =
      GITHUB_SERVER_URL && GITHUB_REPOSITORY && GITHUB_RUN_ID
        ? ['--build-url', `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`]
        : [];
    return [
      'publish',
      PACT_DIR,
      '--consumer-app-version',
      gitCommit(),
      '--branch',
      gitBranch(),
      ...buildUrl,
      '--broker-base-url',
      baseUrl,
    ];
  },
  failure: (code) =>
    new InfrastructureError(`the Pact Broker did not take the pacts: see above (pact exited ${code})`),
});
