import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { Construct } from 'constructs';
import { requireIntegerInRange } from './validation';

export interface UserAuthProps {
  /** Prefix for the pool and client names, e.g. `petstore-dev`. */
  readonly namePrefix: string;
  readonly region: string;
  /** Also allow `USER_PASSWORD_AUTH` (password sent to Cognito over TLS) for scripted clients and smoke tests. @default false */
  readonly allowPasswordAuth?: boolean;
  /** Let anyone sign up; otherwise only administrators create users. @default false */
  readonly selfSignUp?: boolean;
  /** Minimum password length. @default 12 */
  readonly minimumPasswordLength?: number;
  /** Refuse to delete the pool (and its users) until switched off. @default false */
  readonly deletionProtection?: boolean;
}

/**
 * Cognito user pool whose tokens the API's JWT authorizer checks. The app client has no secret
 * (it is for browsers and scripts, which cannot keep one) and uses SRP so passwords never leave the client.
 */
export class UserAuth extends Construct {
  /** The user pool. */
  public readonly resource: CognitoUserPool;
  public readonly client: CognitoUserPoolClient;
  public readonly userPoolId: string;
  public readonly clientId: string;
  /** The `iss` claim of the pool's tokens. */
  public readonly issuerUrl: string;

  constructor(scope: Construct, id: string, props: UserAuthProps) {
    super(scope, id);
    const minimumPasswordLength = props.minimumPasswordLength ?? 12;
    requireIntegerInRange('minimumPasswordLength', minimumPasswordLength, 8, 99);

    this.resource = new CognitoUserPool(this, 'UserPool', {
      name: `${props.namePrefix}-users`,
      usernameAttributes: ['email'],
      autoVerifiedAttributes: ['email'],
      usernameConfiguration: { caseSensitive: false },
      passwordPolicy: {
        minimumLength: minimumPasswordLength,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: true,
        temporaryPasswordValidityDays: 3,
      },
      adminCreateUserConfig: { allowAdminCreateUserOnly: !(props.selfSignUp ?? false) },
      accountRecoverySetting: { recoveryMechanism: [{ name: 'verified_email', priority: 1 }] },
      deletionProtection: (props.deletionProtection ?? false) ? 'ACTIVE' : 'INACTIVE',
    });
    this.userPoolId = this.resource.id;
    this.issuerUrl = `https://cognito-idp.${props.region}.amazonaws.com/${this.resource.id}`;

    // The admin flow needs AWS credentials allowed cognito-idp:AdminInitiateAuth on this pool, so it is
    // closed to the public; the post-deploy smoke test signs its test user in this way.
    const authFlows = ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH'];
    if (props.allowPasswordAuth ?? false) authFlows.push('ALLOW_USER_PASSWORD_AUTH');
    this.client = new CognitoUserPoolClient(this, 'AppClient', {
      name: `${props.namePrefix}-api-client`,
      userPoolId: this.resource.id,
      generateSecret: false,
      explicitAuthFlows: authFlows,
      // "Incorrect username or password" for unknown users too, so the API cannot be used to probe emails.
      preventUserExistenceErrors: 'ENABLED',
      enableTokenRevocation: true,
      accessTokenValidity: 60,
      idTokenValidity: 60,
      refreshTokenValidity: 30,
      tokenValidityUnits: [{ accessToken: 'minutes', idToken: 'minutes', refreshToken: 'days' }],
    });
    this.clientId = this.client.id;
  }
}
