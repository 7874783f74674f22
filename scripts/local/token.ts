/**
 * `npm run local:token -- --session <file>`: prints an access token of a test user of the local stack's
 * user pool (created in the emulator on first use), ready for `Authorization: Bearer`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { createTestUser, setPermanentPassword, signIn, testUserPassword } from '../lib/cognito-test-user';
import { EMULATOR_CREDENTIALS } from '../lib/emulator';
import { OperatorError } from '../lib/operator-error';

const USAGE = 'usage: npm run --silent local:token -- --session <the session file npm run local printed>';
const EMAIL = 'local-user@example.com';

async function main(): Promise<void> {
  let session: { emulator: string; outputs: Record<string, string> };
  try {
    const { values } = parseArgs({ args: process.argv.slice(2), options: { session: { type: 'string' } } });
    if (!values.session) throw new Error('--session is required');
    session = JSON.parse(readFileSync(values.session, 'utf8'));
  } catch (error) {
    throw new OperatorError(`${(error as Error).message}\n${USAGE}`);
  }
  const { outputs } = session;
  const pool = {
    userPoolId: outputs.user_pool_id as string,
    // The client that allows the admin sign-in flow: the smoke test's where the stack has one.
    clientId: (outputs.smoke_test_client_id ?? outputs.user_pool_client_id) as string,
  };
  const cognito = new CognitoIdentityProviderClient({
    region: outputs.region,
    endpoint: session.emulator,
    credentials: EMULATOR_CREDENTIALS,
  });
  try {
    try {
      await createTestUser(cognito, pool, EMAIL);
    } catch (error) {
      if ((error as Error).name !== 'UsernameExistsException') throw error;
    }
    // A new password each time: nothing to remember, and the user is the emulator's only.
    const password = testUserPassword();
    await setPermanentPassword(cognito, pool, EMAIL, password);
    console.log(await signIn(cognito, pool, EMAIL, password));
  } finally {
    cognito.destroy();
  }
}

try {
  await main();
} catch (error) {
  console.error(`local:token: ${(error as Error).message}`);
  process.exitCode = 2;
}
