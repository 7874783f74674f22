import { policyObject } from '../iam';
import { apiPermissions } from './api';
import { computePermissions } from './compute';
import {
  type DeployPermission,
  type DeployPermissionsContext,
  type DeployPolicyName,
  scopeOf,
} from './context';
import { dataPermissions } from './data';
import { domainPermissions } from './domain';
import { identityPermissions } from './identity';
import { networkPermissions } from './network';
import { observabilityPermissions } from './observability';

export type {
  DeployPermission,
  DeployPermissionsContext,
  DeployPolicyName,
  PolicyStatement,
} from './context';

/**
 * What a deploy role needs to apply one environment's stack, push its image and run its smoke test,
 * and nothing more. Each statement names the resources it is for: by the environment's `petstore-<env>`
 * names where the service allows it, otherwise by the environment's tag (on the resource, or on the
 * request that creates it), so that dev's role cannot reach prod in a shared account. `*` is left only
 * where AWS offers no resource scope, and each such statement says so. Each statement says which
 * resource types need it, so a test ties the list to what the stack synthesizes.
 */
export function deployPermissions(context: DeployPermissionsContext): DeployPermission[] {
  const scope = scopeOf(context);
  return [
    ...networkPermissions(scope),
    ...computePermissions(scope),
    ...identityPermissions(scope),
    ...apiPermissions(scope),
    ...observabilityPermissions(scope),
    ...dataPermissions(scope),
    ...domainPermissions(scope),
  ];
}

const POLICY_ORDER: readonly DeployPolicyName[] = [
  'network',
  'network-changes',
  'compute',
  'identity',
  'api',
  'observability',
  'data',
  'domain',
];

/** The statements grouped into the managed policies they go in, in a stable order. */
export function deployPolicyDocuments(
  permissions: readonly DeployPermission[],
): { name: DeployPolicyName; document: ReturnType<typeof policyObject> }[] {
  return POLICY_ORDER.map((name) => ({
    name,
    document: policyObject(
      permissions.filter((permission) => permission.policy === name).map((each) => each.statement),
    ),
  })).filter((policy) => policy.document.Statement.length > 0);
}
