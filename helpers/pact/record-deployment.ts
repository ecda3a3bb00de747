// `npm run pact:record-deployment`: tells the Pact Broker that the commit being built of our provider now runs
// in PACT_ENVIRONMENT (default production), so later can-i-deploy checks count it.
import { PACT_PROVIDER } from '../../contracts/pact.ts';
import { brokerScript } from './broker-cli.ts';
import { gitCommit } from './git.ts';

await brokerScript(({ baseUrl }) => [
  'record-deployment',
  '--pacticipant',
  PACT_PROVIDER,
  '--version',
  gitCommit(),
  '--environment',
  process.env.PACT_ENVIRONMENT || 'production',
  '--broker-base-url',
  baseUrl,
]);
