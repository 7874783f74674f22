import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { Construct } from 'constructs';
import { requireIntegerInRange, requireMatch, requireOneOf } from './validation';

/** Cognito threat protection (formerly advanced security): off, report only, or block risky sign-ins. */
export type ThreatProtectionMode = 'OFF' | 'AUDIT' | 'ENFORCED';

/** Sending Cognito's emails (verification codes, invitations, password resets) through your own SES identity. */
export interface SesEmailSender {
  /** ARN of a verified SES identity (address or domain), e.g. `arn:aws:ses:us-east-1:123456789012:identity/example.com`. */
  readonly sesIdentityArn: string;
  /** The From address, e.g. `Pet Store <no-reply@example.com>`; must belong to the identity. */
  readonly fromAddress: string;
  /** Reply-To address. @default - none */
  readonly replyToAddress?: string;
}

export interface UserAuthProps {
  /** Prefix for the pool and client names, e.g. `petstore-dev`. */
  readonly namePrefix: string;
  readonly region: string;
  /** Also allow `USER_PASSWORD_AUTH` (password sent to Cognito over TLS) for scripted clients. @default false */
  readonly allowPasswordAuth?: boolean;
  /** Let anyone sign up; otherwise only administrators create users. @default false */
  readonly selfSignUp?: boolean;
  /** Minimum password length. @default 12 */
  readonly minimumPasswordLength?: number;
  /** Refuse to delete the pool (and its users) until switched off. @default false */
  readonly deletionProtection?: boolean;
  /** Let each user add an authenticator app (TOTP) as an optional second factor; no SMS, so no SMS costs. @default false */
  readonly totpMfa?: boolean;
  /**
   * Threat protection: compromised-credential and risky sign-in detection. Anything but `'OFF'` puts the
   * pool on Cognito's Plus feature plan, billed per monthly active user with no free tier (Essentials,
   * used otherwise, has one). @default 'OFF'
   */
  readonly threatProtection?: ThreatProtectionMode;
  /**
   * Send Cognito's emails through SES. Cognito's own sender allows about 50 emails a day, too few for
   * production sign-ups and password resets. Needs an SES identity verified in this region, the SES
   * account out of the sandbox, and SES charges per email. @default - Cognito's default sender
   */
  readonly emailSender?: SesEmailSender;
  /**
   * How long a refresh token lasts, in days: how long a stolen one stays useful, and how often a user
   * signs in again. Revocation (on) ends one sooner. @default 7 - Cognito's own default is 30
   */
  readonly refreshTokenValidityDays?: number;
}

/**
 * Cognito user pool whose access tokens the API's JWT authorizer checks. The public app client has no
 * secret (it is for browsers and scripts, which cannot keep one) and uses SRP so passwords never leave
 * the client; the post-deploy smoke test signs in through a client of its own.
 */
export class UserAuth extends Construct {
  /** The user pool. */
  public readonly resource: CognitoUserPool;
  /** The public app client. */
  public readonly client: CognitoUserPoolClient;
  /** The smoke test's client: admin sign-in only, which needs AWS credentials (the deploy role's). */
  public readonly smokeTestClient: CognitoUserPoolClient;
  public readonly userPoolId: string;
  public readonly clientId: string;
  public readonly smokeTestClientId: string;
  /** The clients whose access tokens the API accepts: their ids are the tokens' `client_id`. */
  public readonly audience: string[];
  /** The `iss` claim of the pool's tokens. */
  public readonly issuerUrl: string;

  constructor(scope: Construct, id: string, props: UserAuthProps) {
    super(scope, id);
    const minimumPasswordLength = props.minimumPasswordLength ?? 12;
    const totpMfa = props.totpMfa ?? false;
    const threatProtection = props.threatProtection ?? 'OFF';
    const refreshTokenValidityDays = props.refreshTokenValidityDays ?? 7;
    // Cognito allows 60 minutes to 10 years.
    requireIntegerInRange('refreshTokenValidityDays', refreshTokenValidityDays, 1, 3650);
    requireIntegerInRange('minimumPasswordLength', minimumPasswordLength, 8, 99);
    requireOneOf('threatProtection', threatProtection, ['OFF', 'AUDIT', 'ENFORCED'] as const);
    if (props.emailSender) {
      requireMatch(
        'emailSender.sesIdentityArn',
        props.emailSender.sesIdentityArn,
        /^arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity\/.+$/,
        'the ARN of an SES identity, arn:aws:ses:<region>:<account>:identity/<address or domain>',
      );
    }

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
      mfaConfiguration: totpMfa ? 'OPTIONAL' : 'OFF',
      softwareTokenMfaConfiguration: totpMfa ? { enabled: true } : undefined,
      // Stated either way: the tier is computed, so leaving it out after switching threat protection off
      // would keep the pool on the paid Plus plan.
      userPoolTier: threatProtection === 'OFF' ? 'ESSENTIALS' : 'PLUS',
      userPoolAddOns: threatProtection === 'OFF' ? undefined : { advancedSecurityMode: threatProtection },
      emailConfiguration: props.emailSender
        ? {
            emailSendingAccount: 'DEVELOPER',
            sourceArn: props.emailSender.sesIdentityArn,
            fromEmailAddress: props.emailSender.fromAddress,
            replyToEmailAddress: props.emailSender.replyToAddress,
          }
        : undefined,
    });
    this.userPoolId = this.resource.id;
    this.issuerUrl = `https://cognito-idp.${props.region}.amazonaws.com/${this.resource.id}`;

    const authFlows = ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
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
      refreshTokenValidity: refreshTokenValidityDays,
      tokenValidityUnits: [{ accessToken: 'minutes', idToken: 'minutes', refreshToken: 'days' }],
    });
    this.clientId = this.client.id;

    // The admin flow needs AWS credentials allowed cognito-idp:AdminInitiateAuth on this pool, which only
    // the deploy role has, so the public client does not offer it at all. Short-lived tokens: a smoke test
    // runs for seconds (5 minutes and 60 minutes are Cognito's minimums).
    this.smokeTestClient = new CognitoUserPoolClient(this, 'SmokeTestClient', {
      name: `${props.namePrefix}-smoke-test`,
      userPoolId: this.resource.id,
      generateSecret: false,
      explicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      preventUserExistenceErrors: 'ENABLED',
      enableTokenRevocation: true,
      accessTokenValidity: 5,
      idTokenValidity: 5,
      refreshTokenValidity: 60,
      tokenValidityUnits: [{ accessToken: 'minutes', idToken: 'minutes', refreshToken: 'minutes' }],
    });
    this.smokeTestClientId = this.smokeTestClient.id;
    this.audience = [this.clientId, this.smokeTestClientId];
  }
}
