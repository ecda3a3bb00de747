// `npm run pact:can-i-deploy`: asks the Pact Broker whether the commit being built of our provider may go to
// PACT_ENVIRONMENT (default production): every pact of a consumer deployed there must be verified by it.
import { PACT_PROVIDER } from '../../contracts/pact.ts';
import { brokerScript } from './broker-cli.ts';
import { gitCommit } from './git.ts';

await brokerScript(({ baseUrl }) => [
  'can-i-deploy',
  '--pacticipant',
  PACT_PROVIDER,
  '--version',
  gitCommit(),
  '--to-environment',
  process.env.PACT_ENVIRONMENT || 'production',
  // Verification results of a just-published commit may still be on their way: ask again for a minute.
  '--retry-while-unknown',
  '6',
  '--retry-interval',
  '10',
  '--broker-base-url',
  baseUrl,
]);
