import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { Construct } from 'constructs';

/** One statement of an IAM policy, in IAM's own words. */
export interface IamStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  /** `'*'` for anyone (a Deny on a bucket, say). */
  readonly Principal?: '*' | Record<string, string | string[]>;
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

/** A policy document: the one place that spells IAM's envelope (its version and statement list). */
export function policyObject(statements: readonly IamStatement[]): {
  Version: string;
  Statement: IamStatement[];
} {
  return { Version: '2012-10-17', Statement: [...statements] };
}

/** A policy document as the provider takes it: JSON text. */
export function policyDocument(statements: readonly IamStatement[]): string {
  return JSON.stringify(policyObject(statements));
}

/** A role's trust: `service` may assume it, under `condition` when given. */
export function assumedBy(service: string, condition?: IamStatement['Condition']): string {
  return policyDocument([
    {
      Effect: 'Allow',
      Principal: { Service: service },
      Action: 'sts:AssumeRole',
      ...(condition && { Condition: condition }),
    },
  ]);
}

/**
 * Grants `role` the statements as an inline policy of its own, beside the role (where aws-cdk keeps a
 * role's default policy): how a construct that owns a resource grants access to it.
 */
export function grant(
  role: IamRole,
  id: string,
  name: string,
  statements: readonly IamStatement[],
): IamRolePolicy {
  return new IamRolePolicy(role.node.scope as Construct, `${role.node.id}${id}`, {
    name,
    role: role.id,
    policy: policyDocument(statements),
  });
}
