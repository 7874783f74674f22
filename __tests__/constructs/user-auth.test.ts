import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { UserAuth, type UserAuthProps } from '../../constructs/user-auth';
import { onlyResource, REGION, synthScope } from './support';

const synthAuth = (props: Partial<UserAuthProps> = {}) =>
  synthScope((scope) => new UserAuth(scope, 'Auth', { namePrefix: 'test', region: REGION, ...props }));

describe('UserAuth', () => {
  test('users sign in with their email, which Cognito verifies', () => {
    expect(synthAuth()).toHaveResourceWithProperties(CognitoUserPool, {
      username_attributes: ['email'],
      auto_verified_attributes: ['email'],
    });
  });

  test('passwords need 12 characters of all four kinds', () => {
    expect(synthAuth()).toHaveResourceWithProperties(CognitoUserPool, {
      password_policy: expect.objectContaining({
        minimum_length: 12,
        require_lowercase: true,
        require_uppercase: true,
        require_numbers: true,
        require_symbols: true,
      }),
    });
  });

  test('only administrators create users unless self sign-up is on', () => {
    expect(synthAuth()).toHaveResourceWithProperties(CognitoUserPool, {
      admin_create_user_config: { allow_admin_create_user_only: true },
    });
    expect(synthAuth({ selfSignUp: true })).toHaveResourceWithProperties(CognitoUserPool, {
      admin_create_user_config: { allow_admin_create_user_only: false },
    });
  });

  test('the app client has no secret; the public may sign in with SRP and refresh tokens only', () => {
    const client = onlyResource(synthAuth(), 'aws_cognito_user_pool_client');
    expect(client.generate_secret).toBe(false);
    // The admin flow needs IAM credentials, so it is not open to the public.
    expect(client.explicit_auth_flows).toEqual([
      'ALLOW_USER_SRP_AUTH',
      'ALLOW_REFRESH_TOKEN_AUTH',
      'ALLOW_ADMIN_USER_PASSWORD_AUTH',
    ]);
    expect(client.prevent_user_existence_errors).toBe('ENABLED');
  });

  test('password auth for scripted clients is a prop', () => {
    expect(synthAuth({ allowPasswordAuth: true })).toHaveResourceWithProperties(CognitoUserPoolClient, {
      explicit_auth_flows: expect.arrayContaining(['ALLOW_USER_PASSWORD_AUTH']),
    });
  });

  test('rejects a minimum password length below 8', () => {
    expect(() => synthAuth({ minimumPasswordLength: 6 })).toThrow(
      '`minimumPasswordLength` is 6; expected an integer from 8 to 99.',
    );
  });
});
