/**
 * The deploy permissions of an environment as the tests see them, and a test's own, small copy of IAM's evaluation, for the deploy permissions: whether a statement's
 * resource patterns match an ARN, and whether its conditions hold for a request (the operators the
 * policies use, and no other: an unknown one throws).
 */
import type { EnvironmentConfig } from '../../constructs/config';
import {
  type DeployPermission,
  deployPermissions,
  type PolicyStatement,
} from '../../constructs/deploy-permissions/index';
import { ENVIRONMENTS } from '../../environments';

export const ACCOUNT = '123456789012';
export const BUCKET_ARN = 'arn:aws:s3:::acme-state';

export const environmentNamed = (name: string) =>
  ENVIRONMENTS.find((environment) => environment.name === name) as EnvironmentConfig;

export function permissionsOf(environment: EnvironmentConfig): DeployPermission[] {
  return deployPermissions({ environment, partition: 'aws', accountId: ACCOUNT, stateBucketArn: BUCKET_ARN });
}

export function statementsWith(permissions: DeployPermission[], action: string): PolicyStatement[] {
  return permissions
    .map((permission) => permission.statement)
    .filter((statement) => statement.Action.includes(action));
}

/** Whether an IAM resource pattern (`*` and `?` wildcards) matches an ARN. */
export function matches(pattern: string, arn: string): boolean {
  const expression = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${expression}$`).test(arn);
}

/** What IAM knows of a request beyond its action and resource, as far as these policies ask. */
export interface RequestContext {
  readonly resourceTags?: Record<string, string>;
  readonly requestTags?: Record<string, string>;
  readonly values?: Record<string, string | string[]>;
}

/** The request's value(s) for a condition key, or undefined when it has none. */
function valuesOf(key: string, request: RequestContext): string[] | undefined {
  const tag = /^aws:(Resource|Request)Tag\/(.+)$/.exec(key);
  if (tag) {
    const tags = tag[1] === 'Resource' ? request.resourceTags : request.requestTags;
    const value = tags?.[tag[2] as string];
    return value === undefined ? undefined : [value];
  }
  if (key === 'aws:RequestedRegion') return ['us-east-1'];
  if (key === 'aws:TagKeys') return Object.keys(request.requestTags ?? {});
  const value = request.values?.[key];
  return value === undefined ? undefined : [value].flat();
}

/** IAM's evaluation of the condition operators these policies use (a test's own, small copy). */
function conditionHolds(condition: PolicyStatement['Condition'], request: RequestContext): boolean {
  return Object.entries(condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const wanted = [expected].flat();
      const actual = valuesOf(key, request);
      switch (operator) {
        case 'StringEquals':
          return actual !== undefined && actual.length > 0 && actual.every((value) => wanted.includes(value));
        case 'StringEqualsIfExists':
          return actual === undefined || actual.every((value) => wanted.includes(value));
        case 'Null':
          return (actual === undefined) === (wanted[0] === 'true');
        case 'ForAllValues:StringNotEquals':
          return (actual ?? []).every((value) => !wanted.includes(value));
        case 'ForAllValues:StringEquals':
          return (actual ?? []).every((value) => wanted.includes(value));
        case 'ForAllValues:StringLike':
          return (actual ?? []).every((value) => wanted.some((pattern) => matches(pattern, value)));
        default:
          throw new Error(`the test does not evaluate ${operator}`);
      }
    }),
  );
}

/** Whether some statement allows `action` on `arn` for this request, conditions included. */
export function allowsRequest(
  permissions: DeployPermission[],
  action: string,
  arn: string,
  request: RequestContext,
): boolean {
  return statementsWith(permissions, action).some(
    (statement) =>
      [statement.Resource].flat().some((pattern) => matches(pattern, arn)) &&
      conditionHolds(statement.Condition, request),
  );
}

export function allows(permissions: DeployPermission[], action: string, arn: string): boolean {
  return statementsWith(permissions, action).some((statement) =>
    [statement.Resource].flat().some((pattern) => matches(pattern, arn)),
  );
}
