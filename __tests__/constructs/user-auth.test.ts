import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { UserAuth, type UserAuthProps } from '../../constructs/user-auth';
import { onlyResource, REGION, resourcesOf, synthScope, type TerraformBlock } from './support';

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

  function clientsOf(synthesized: string) {
    const clients = resourcesOf(synthesized, 'aws_cognito_user_pool_client');
    expect(clients).toHaveLength(2);
    const named = (name: string) => clients.find((client) => client.name === name) as TerraformBlock;
    return { app: named('test-api-client'), smokeTest: named('test-smoke-test') };
  }

  test('the public app client has no secret and offers SRP and refresh tokens only, not the admin flow', () => {
    const { app } = clientsOf(synthAuth());
    expect(app.generate_secret).toBe(false);
    expect(app.explicit_auth_flows).toEqual(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
    expect(app.prevent_user_existence_errors).toBe('ENABLED');
  });

  test('the smoke test has its own client: admin sign-in only (AWS credentials needed), short-lived tokens', () => {
    const { smokeTest } = clientsOf(synthAuth());
    expect(smokeTest).toMatchObject({
      generate_secret: false,
      explicit_auth_flows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      prevent_user_existence_errors: 'ENABLED',
      access_token_validity: 5,
      token_validity_units: [{ access_token: 'minutes', id_token: 'minutes', refresh_token: 'minutes' }],
    });
  });

  test('refresh tokens last 7 days (a prop, 1 to 3650), not the 30 Cognito would give, and can be revoked', () => {
    expect(clientsOf(synthAuth()).app).toMatchObject({
      refresh_token_validity: 7,
      enable_token_revocation: true,
      token_validity_units: [{ access_token: 'minutes', id_token: 'minutes', refresh_token: 'days' }],
    });
    expect(clientsOf(synthAuth({ refreshTokenValidityDays: 1 })).app.refresh_token_validity).toBe(1);
    expect(() => synthAuth({ refreshTokenValidityDays: 0 })).toThrow(
      '`refreshTokenValidityDays` is 0; expected an integer from 1 to 3650.',
    );
  });

  test('password auth for scripted clients is a prop of the public client', () => {
    const { app, smokeTest } = clientsOf(synthAuth({ allowPasswordAuth: true }));
    expect(app.explicit_auth_flows).toContain('ALLOW_USER_PASSWORD_AUTH');
    expect(smokeTest.explicit_auth_flows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
  });

  test('by default: no MFA, the Essentials plan without threat protection, Cognito sends the emails', () => {
    const pool = onlyResource(synthAuth(), 'aws_cognito_user_pool');
    expect(pool.mfa_configuration).toBe('OFF');
    expect(pool.software_token_mfa_configuration).toBeUndefined();
    expect(pool.user_pool_tier).toBe('ESSENTIALS');
    expect(pool.user_pool_add_ons).toBeUndefined();
    expect(pool.email_configuration).toBeUndefined();
  });

  test('TOTP MFA is optional for each user when on, with no SMS factor', () => {
    const pool = onlyResource(synthAuth({ totpMfa: true }), 'aws_cognito_user_pool');
    expect(pool.mfa_configuration).toBe('OPTIONAL');
    expect(pool.software_token_mfa_configuration).toEqual({ enabled: true });
    expect(pool.sms_configuration).toBeUndefined();
  });

  test('threat protection puts the pool on the Plus plan', () => {
    const pool = onlyResource(synthAuth({ threatProtection: 'ENFORCED' }), 'aws_cognito_user_pool');
    expect(pool.user_pool_tier).toBe('PLUS');
    expect(pool.user_pool_add_ons).toEqual({ advanced_security_mode: 'ENFORCED' });
  });

  test('an SES identity sends the emails when given', () => {
    const sesIdentityArn = 'arn:aws:ses:eu-west-1:123456789012:identity/example.com';
    const pool = onlyResource(
      synthAuth({ emailSender: { sesIdentityArn, fromAddress: 'Pet Store <no-reply@example.com>' } }),
      'aws_cognito_user_pool',
    );
    expect(pool.email_configuration).toEqual({
      email_sending_account: 'DEVELOPER',
      source_arn: sesIdentityArn,
      from_email_address: 'Pet Store <no-reply@example.com>',
    });
  });

  test.each<[Partial<UserAuthProps>, string]>([
    [{ minimumPasswordLength: 6 }, '`minimumPasswordLength` is 6; expected an integer from 8 to 99.'],
    [
      { threatProtection: 'ON' as never },
      "`threatProtection` is 'ON'; expected one of 'OFF', 'AUDIT', 'ENFORCED'.",
    ],
    [
      { emailSender: { sesIdentityArn: 'example.com', fromAddress: 'no-reply@example.com' } },
      "`emailSender.sesIdentityArn` is 'example.com'; expected the ARN of an SES identity",
    ],
  ])('rejects %o', (props, message) => {
    expect(() => synthAuth(props)).toThrow(message);
  });
});
