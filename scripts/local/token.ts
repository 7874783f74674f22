/**
 * `npm run local:token -- --session <file>`: prints an access token of a test user of the local stack's
 * user pool (created in the emulator on first use), ready for `Authorization: Bearer`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { testUser, testUserPassword } from '../lib/cognito-test-user';
import { EMULATOR_CREDENTIALS } from '../lib/emulator';
import { requireOutputs } from '../lib/stack-outputs';

const USAGE = 'usage: npm run --silent local:token -- --session <the session file npm run local printed>';

try {
  const { values } = parseArgs({ options: { session: { type: 'string' } } });
  if (!values.session) throw new Error(`--session is required\n${USAGE}`);
  const { emulator: endpoint, outputs } = JSON.parse(readFileSync(values.session, 'utf8'));
  const names = ['region', 'user_pool_id', 'user_pool_client_id'] as const;
  const { region, user_pool_id, user_pool_client_id } = requireOutputs(outputs, names, values.session);
  const cognito = new CognitoIdentityProviderClient({ region, endpoint, credentials: EMULATOR_CREDENTIALS });
  // The client that allows the admin sign-in flow: the smoke test's where the stack has one.
  const pool = { userPoolId: user_pool_id, clientId: outputs.smoke_test_client_id ?? user_pool_client_id };
  const user = testUser(cognito, pool, 'local-user@example.com');
  await user.create().catch((error: Error) => {
    if (error.name !== 'UsernameExistsException') throw error;
  });
  // A new password each time: nothing to remember, and the user is the emulator's only.
  const password = testUserPassword();
  await user.setPassword(password);
  console.log(await user.signIn(password));
  cognito.destroy();
} catch (error) {
  console.error(`local:token: ${(error as Error).message}`);
  process.exitCode = 2;
}
