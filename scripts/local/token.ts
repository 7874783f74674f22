/**
 * `npm run local:token -- --session <file>`: prints an access token of a test user of the local stack's
 * user pool (created in the emulator on first use), ready for `Authorization: Bearer`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { createTestUser, setPermanentPassword, signIn, testUserPassword } from '../lib/cognito-test-user';
import { EMULATOR_CREDENTIALS } from '../lib/emulator';
import { requireOutputs } from '../lib/stack-outputs';

const USAGE = 'usage: npm run --silent local:token -- --session <the session file npm run local printed>';
const EMAIL = 'local-user@example.com';

try {
  const { values } = parseArgs({ options: { session: { type: 'string' } } });
  if (!values.session) throw new Error(`--session is required\n${USAGE}`);
  const { emulator, outputs } = JSON.parse(readFileSync(values.session, 'utf8'));
  const names = ['region', 'user_pool_id', 'user_pool_client_id'] as const;
  const { region, user_pool_id, user_pool_client_id } = requireOutputs(outputs, names, values.session);
  const pool = {
    userPoolId: user_pool_id,
    // The client that allows the admin sign-in flow: the smoke test's where the stack has one.
    clientId: outputs.smoke_test_client_id ?? user_pool_client_id,
  };
  const cognito = new CognitoIdentityProviderClient({
    region,
    endpoint: emulator,
    credentials: EMULATOR_CREDENTIALS,
  });
  await createTestUser(cognito, pool, EMAIL).catch((error: Error) => {
    if (error.name !== 'UsernameExistsException') throw error;
  });
  // A new password each time: nothing to remember, and the user is the emulator's only.
  const password = testUserPassword();
  await setPermanentPassword(cognito, pool, EMAIL, password);
  console.log(await signIn(cognito, pool, EMAIL, password));
  cognito.destroy();
} catch (error) {
  console.error(`local:token: ${(error as Error).message}`);
  process.exitCode = 2;
}
