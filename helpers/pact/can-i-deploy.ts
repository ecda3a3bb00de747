// `npm run pact:can-i-deploy`: asks the Pact Broker whether the commit being built of our provider may go to
// PACT_ENVIRONMENT (default production): every pact of a consumer deployed there must be verified by it.
import { PACT_PROVIDER } from '../../contracts/pact.ts';
import { CheckFailedError } from '../errors.ts';
import { brokerScript } from './broker-cli.ts';
import { gitCommit } from './git.ts';

const environment = process.env.PACT_ENVIRONMENT || 'production';

await brokerScript({
  args: ({ baseUrl }) => [
    'can-i-deploy',
    '--pacticipant',
    PACT_PROVIDER,
    '--version',
    gitCommit(),
    '--to-environment',
    environment,
    // Verification results of a just-published commit may still be on their way: ask again for a minute.
    '--retry-while-unknown',
    '6',
    '--retry-interval',
    '10',
    '--broker-base-url',
    baseUrl,
  ],
  // The CLI exits 1 for "no" and for an error alike; the broker answered just before, so "no" it is.
  failure: (code) =>
    new CheckFailedError(
      `${PACT_PROVIDER} may not be deployed to ${environment}: the Pact Broker's answer is above (pact exited ${code})`,
    ),
});
