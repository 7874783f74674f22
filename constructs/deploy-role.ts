import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from './config';
import { deployPermissions, deployPolicyDocuments } from './deploy-permissions/index';
import { environmentSubject, type GithubOidcProvider, type GithubRepository } from './github-oidc';
import type { StateBucket } from './state-bucket';

export interface DeployRoleProps {
  readonly oidc: GithubOidcProvider;
  readonly repository: GithubRepository;
  readonly stateBucket: StateBucket;
  /** The environment this role deploys; its GitHub environment has the same name. */
  readonly environment: EnvironmentConfig;
  readonly partition: string;
  readonly accountId: string;
}

/**
 * The role `deploy-environment.yml` applies one environment with: trusted only for jobs of this
 * repository running in that GitHub environment (whose protection rules then guard the role), allowed
 * exactly what that stack and the smoke test need (see `deployPermissions`), plus the push to its image repository (the bootstrap stack grants it), in managed
 * policies of one group of services each.
 */
export class DeployRole extends Construct {
  public readonly resource: IamRole;
  public readonly roleArn: string;
  public readonly policies: IamPolicy[];

  constructor(scope: Construct, id: string, props: DeployRoleProps) {
    super(scope, id);
    const environment = props.environment.name;
    this.resource = new IamRole(this, 'Role', {
      name: `petstore-github-deploy-${environment}`,
      description: `Deploys petstore-${environment} from ${props.repository.owner}/${props.repository.name}`,
      assumeRolePolicy: props.oidc.trustPolicyFor(environmentSubject(props.repository, environment)),
    });
    this.roleArn = this.resource.arn;

    const documents = deployPolicyDocuments(
      deployPermissions({
        environment: props.environment,
        partition: props.partition,
        accountId: props.accountId,
        stateBucketArn: props.stateBucket.bucketArn,
      }),
    );
    this.policies = documents.map(({ name, document }) => {
      const id = name.charAt(0).toUpperCase() + name.slice(1);
      const policy = new IamPolicy(this, `${id}Policy`, {
        name: `petstore-github-deploy-${environment}-${name}`,
        description: `What deploying petstore-${environment} needs: ${name}`,
        policy: JSON.stringify(document),
      });
      new IamRolePolicyAttachment(this, `${id}Attachment`, {
        role: this.resource.name,
        policyArn: policy.arn,
      });
      return policy;
    });
  }
}
