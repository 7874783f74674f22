import { randomInt } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';

/** The user pool and app client the smoke test signs in with. */
export interface UserPool {
  readonly userPoolId: string;
  readonly clientId: string;
}

const PASSWORD_CLASSES = [
  'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  'abcdefghijklmnopqrstuvwxyz',
  '0123456789',
  // From Cognito's list of allowed symbols.
  '!#%*+-=?@^_~',
];
const PASSWORD_LENGTH = 24;

/**
 * A random password that the pool's policy (at least 12 characters, upper and lower case, a digit
 * and a symbol) accepts: one character of each class, the rest from all, shuffled.
 */
export function testUserPassword(): string {
  const all = PASSWORD_CLASSES.join('');
  const characters = PASSWORD_CLASSES.map(pick);
  while (characters.length < PASSWORD_LENGTH) characters.push(pick(all));
  // Fisher-Yates, so the guaranteed classes are not always at the front.
  for (let index = characters.length - 1; index > 0; index -= 1) {
    const other = randomInt(index + 1);
    [characters[index], characters[other]] = [characters[other] as string, characters[index] as string];
  }
  return characters.join('');
}

function pick(characters: string): string {
  return characters.charAt(randomInt(characters.length));
}

/**
 * Creates a confirmed user with a permanent password, without sending it an invitation. The pool
 * signs users in by email, so the email is the username for every admin call.
 */
export async function createTestUser(
  cognito: CognitoIdentityProviderClient,
  pool: UserPool,
  email: string,
): Promise<void> {
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: pool.userPoolId,
      Username: email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
}

export async function setPermanentPassword(
  cognito: CognitoIdentityProviderClient,
  pool: UserPool,
  email: string,
  password: string,
): Promise<void> {
  await cognito.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: pool.userPoolId,
      Username: email,
      Password: password,
      Permanent: true,
    }),
  );
}

/** Signs in with the admin flow (needs AWS credentials, not a client secret) and returns the access token. */
export async function signIn(
  cognito: CognitoIdentityProviderClient,
  pool: UserPool,
  email: string,
  password: string,
): Promise<string> {
  const response = await cognito.send(
    new AdminInitiateAuthCommand({
      UserPoolId: pool.userPoolId,
      ClientId: pool.clientId,
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
  const accessToken = response.AuthenticationResult?.AccessToken;
  if (!accessToken) {
    throw new Error(
      `expected tokens, got ${response.ChallengeName ? `the challenge ${response.ChallengeName}` : 'no AuthenticationResult'}`,
    );
  }
  return accessToken;
}

/** Deletes the user; true if it existed. */
export async function deleteTestUser(
  cognito: CognitoIdentityProviderClient,
  pool: UserPool,
  email: string,
): Promise<boolean> {
  try {
    await cognito.send(new AdminDeleteUserCommand({ UserPoolId: pool.userPoolId, Username: email }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'UserNotFoundException') return false;
    throw error;
  }
}
