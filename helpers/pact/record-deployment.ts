// `npm run pact:record-deployment`: tells the Pact Broker that the commit being built of our provider now runs
// in PACT_ENVIRONMENT (default production), so later can-i-deploy checks count it.
import { PACT_PROVIDER } from '../../contracts/pact.ts';
import { InfrastructureError } from '../errors.ts';
import { brokerScript } from './broker-cli.ts';
import { gitCommit } from './git.ts';

await brokerScript({
  args: ({ baseUrl }) => [
    'record-deployment',
    '--pacticipant',
    PACT_PROVIDER,
    '--version',
    gitCommit(),
    '--environment',
    process.env.PACT_ENVIRONMENT || 'production',
    '--broker-base-url',
    baseUrl,
  ],
  failure: (code) =>
    new InfrastructureError(`the Pact Broker did not record the deployment: see above (pact exited ${code})`),
});
