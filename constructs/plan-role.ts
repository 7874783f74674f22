import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { type GithubOidcProvider, type GithubRepository, pullRequestSubject } from './github-oidc';
import { policyDocument } from './iam';
import type { StateBucket } from './state-bucket';

/** Reads that return data rather than configuration: a pull request's code runs with the plan role. */
export const PLAN_ROLE_DENIED_DATA_READS: readonly string[] = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:PartiQLSelect',
  'dynamodb:GetRecords',
  'secretsmanager:GetSecretValue',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
  'ssm:GetParameterHistory',
  'logs:GetLogEvents',
  'logs:FilterLogEvents',
  'logs:StartQuery',
  'logs:GetQueryResults',
  'logs:StartLiveTail',
  'logs:GetLogRecord',
  'cognito-idp:ListUsers',
  'cognito-idp:ListUsersInGroup',
  'cognito-idp:AdminGetUser',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
];

export interface PlanRoleProps {
  readonly oidc: GithubOidcProvider;
  readonly repository: GithubRepository;
  readonly stateBucket: StateBucket;
  readonly partition: string;
  /** Role name. @default 'petstore-github-plan' */
  readonly roleName?: string;
}

/**
 * The role `pr-plan.yml` plans every stack with: trusted only for this repository's pull-request
 * workflows, allowed to read configuration (AWS's ReadOnlyAccess) and the state objects, and explicitly
 * denied the reads that return data (items, secrets, log events, users, image layers, other buckets'
 * objects). No writes: plans run with `-lock=false`, since writing the lock file is a write.
 */
export class PlanRole extends Construct {
  public readonly resource: IamRole;
  public readonly roleArn: string;

  constructor(scope: Construct, id: string, props: PlanRoleProps) {
    super(scope, id);
    const stateObjects = `${props.stateBucket.bucketArn}/petstore/*`;
    this.resource = new IamRole(this, 'Role', {
      name: props.roleName ?? 'petstore-github-plan',
      description: `terraform plan for pull requests of ${props.repository.owner}/${props.repository.name}`,
      assumeRolePolicy: props.oidc.trustPolicyFor(pullRequestSubject(props.repository)),
    });
    this.roleArn = this.resource.arn;
    new IamRolePolicyAttachment(this, 'ReadOnlyAccess', {
      role: this.resource.name,
      policyArn: `arn:${props.partition}:iam::aws:policy/ReadOnlyAccess`,
    });
    new IamRolePolicy(this, 'StateAndDenies', {
      name: 'state-read-deny-data',
      role: this.resource.id,
      policy: policyDocument([
        {
          Sid: 'ReadState',
          Effect: 'Allow',
          Action: ['s3:ListBucket', 's3:GetObject'],
          Resource: [props.stateBucket.bucketArn, stateObjects],
        },
        { Sid: 'DenyDataReads', Effect: 'Deny', Action: PLAN_ROLE_DENIED_DATA_READS, Resource: '*' },
        {
          Sid: 'DenyOtherObjects',
          Effect: 'Deny',
          Action: ['s3:GetObject', 's3:GetObjectVersion'],
          NotResource: stateObjects,
        },
      ]),
    });
  }
}
