import { randomBytes } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';

/** The user pool and app client the smoke test signs in with. */
export type UserPool = { readonly userPoolId: string; readonly clientId: string };

/**
 * A random password that the pool's policy (at least 12 characters, upper and lower case, a digit and
 * a symbol) accepts: 144 random bits (base64url: `-` and `_` are Cognito symbols), then one of each class.
 */
export function testUserPassword(): string {
  return `${randomBytes(18).toString('base64url')}Aa1!`;
}

/**
 * The admin calls on a test user of the pool: they need AWS credentials, not a client secret. The pool
 * signs users in by email, so the email is the username for each.
 */
export function testUser(cognito: CognitoIdentityProviderClient, pool: UserPool, email: string) {
  const user = { UserPoolId: pool.userPoolId, Username: email };
  return {
    /** A confirmed user, without an invitation. */
    create: () =>
      cognito.send(
        new AdminCreateUserCommand({
          ...user,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      ),
    setPassword: (password: string) =>
      cognito.send(new AdminSetUserPasswordCommand({ ...user, Password: password, Permanent: true })),
    /** Signs in with the admin flow; resolves to the access token. */
    async signIn(password: string): Promise<string> {
      const { AuthenticationResult, ChallengeName } = await cognito.send(
        new AdminInitiateAuthCommand({
          UserPoolId: pool.userPoolId,
          ClientId: pool.clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: email, PASSWORD: password },
        }),
      );
      if (AuthenticationResult?.AccessToken) return AuthenticationResult.AccessToken;
      const got = ChallengeName ? `the challenge ${ChallengeName}` : 'no AuthenticationResult';
      throw new Error(`expected tokens, got ${got}`);
    },
    /** Resolves to true if it existed. */
    delete: () =>
      cognito.send(new AdminDeleteUserCommand(user)).then(
        () => true,
        (error: Error) => {
          if (error.name === 'UserNotFoundException') return false;
          throw error;
        },
      ),
  };
}
