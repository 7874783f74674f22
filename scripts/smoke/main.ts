/**
 * Post-deploy smoke test: `npm run smoke -- --stack <name> [--outputs-file <file>]`. Reads the stack's
 * outputs (`terraform output -json`, or the file), creates a Cognito test user with the admin API,
 * signs it in, exercises the deployed API end to end and deletes what it created. Exits 1 when any
 * expectation fails. Needs AWS credentials allowed the cognito-idp admin calls on the stack's pool.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { EMULATOR_CREDENTIALS } from '../lib/emulator';
import { smokeCli } from './cli';

process.exitCode = await smokeCli(process.argv.slice(2), {
  cognitoClient: (region, endpoint) =>
    new CognitoIdentityProviderClient(
      endpoint ? { region, endpoint, credentials: EMULATOR_CREDENTIALS } : { region },
    ),
  print: (line) => console.log(line),
  printError: (line) => console.error(line),
});
