import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { Construct } from 'constructs';
import { policyDocument } from './iam';
import { invalid, requireMatch } from './validation';

const ISSUER_HOST = 'token.actions.githubusercontent.com';

/** The GitHub repository whose workflows may assume the roles. */
export interface GithubRepository {
  /** The user or organization, e.g. `acme`. */
  readonly owner: string;
  /** The repository, e.g. `petstore-cdktf`. */
  readonly name: string;
}

/**
 * What an owner that is not set yet reads as. No GitHub account can have this name (`<` is not
 * allowed), so until it is replaced no workflow's token matches any role's trust policy.
 */
export const UNSET_GITHUB_OWNER = '<your-github-owner>';

export function validateGithubRepository(field: string, repository: GithubRepository): void {
  if (repository.owner !== UNSET_GITHUB_OWNER) {
    requireMatch(
      `${field}.owner`,
      repository.owner,
      /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$/,
      'a GitHub user or organization: letters, digits and single hyphens, at most 39',
    );
  }
  requireMatch(`${field}.name`, repository.name, /^[A-Za-z0-9_.-]{1,100}$/, 'a GitHub repository name');
  if (repository.name === '.' || repository.name === '..')
    throw invalid(`${field}.name`, repository.name, 'expected a GitHub repository name');
}

/**
 * The account's trust in GitHub Actions' OIDC tokens: workflows of the repository exchange them for a
 * role's short-lived credentials, so no AWS access key is stored in GitHub. An account holds one
 * provider per URL; where it exists already, import it (`terraform import`) rather than create it.
 */
export class GithubOidcProvider extends Construct {
  public readonly resource: IamOpenidConnectProvider;
  public readonly arn: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.resource = new IamOpenidConnectProvider(this, 'Provider', {
      url: `https://${ISSUER_HOST}`,
      // What configure-aws-credentials asks STS for.
      clientIdList: ['sts.amazonaws.com'],
      // IAM verifies GitHub's certificate against its trusted CAs and ignores these; older API
      // versions (and emulators) still require one. GitHub's published intermediate thumbprints.
      thumbprintList: [
        '6938fd4d98bab03faadb97b34396831e3780aea1',
        '1c58a3a8518e8759bf075b76b750d4f2df264fcd',
      ],
    });
    this.arn = this.resource.arn;
  }

  /**
   * A trust policy for tokens whose `sub` is exactly `subject`, e.g. `repo:acme/petstore:pull_request`
   * or `repo:acme/petstore:environment:prod`; the audience must be STS.
   */
  trustPolicyFor(subject: string): string {
    return policyDocument([
      {
        Effect: 'Allow',
        Principal: { Federated: this.arn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${ISSUER_HOST}:aud`]: 'sts.amazonaws.com',
            [`${ISSUER_HOST}:sub`]: subject,
          },
        },
      },
    ]);
  }
}

/** The `sub` of the repository's pull-request workflow tokens. */
export function pullRequestSubject(repository: GithubRepository): string {
  return `repo:${repository.owner}/${repository.name}:pull_request`;
}

/** The `sub` of tokens of jobs that run in a GitHub environment. */
export function environmentSubject(repository: GithubRepository, environment: string): string {
  return `repo:${repository.owner}/${repository.name}:environment:${environment}`;
}
