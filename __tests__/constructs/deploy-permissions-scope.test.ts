// The deploy roles held to their environment in a shared account: what each may change of its own, and
// what it cannot reach of the other's, evaluated with the conditions IAM would check.
import {
  ACCOUNT,
  allowsRequest,
  BUCKET_ARN,
  environmentNamed,
  matches,
  permissionsOf,
  type RequestContext,
} from './deploy-permissions-support';

describe.each(['dev', 'prod'])('the %s deploy role', (name) => {
  const environment = environmentNamed(name);
  const permissions = permissionsOf(environment);
  const arn = (service: string, resource: string) => `arn:aws:${service}:us-east-1:${ACCOUNT}:${resource}`;

  test("cannot change another environment's network, API, Cloud Map or autoscaling, though they share an account", () => {
    const other = name === 'dev' ? 'prod' : 'dev';
    const tagged = (environment: string) => ({ Project: 'petstore', Environment: environment });
    const ec2 = (resource: string) => arn('ec2', resource);
    const cases: [string, string, RequestContext][] = [
      ['ec2:DeleteVpc', ec2('vpc/vpc-1'), {}],
      ['ec2:AuthorizeSecurityGroupIngress', ec2('security-group/sg-1'), {}],
      ['ec2:RevokeSecurityGroupIngress', ec2('security-group/sg-1'), {}],
      ['ec2:ReplaceRoute', ec2('route-table/rtb-1'), {}],
      ['ec2:DeleteNatGateway', ec2('natgateway/nat-1'), {}],
      ['ec2:CreateSubnet', ec2('vpc/vpc-1'), {}],
      ['apigateway:PATCH', 'arn:aws:apigateway:us-east-1::/apis/a1b2c3', {}],
      ['apigateway:DELETE', 'arn:aws:apigateway:us-east-1::/vpclinks/v1', {}],
      ['kms:ScheduleKeyDeletion', arn('kms', 'key/k1'), {}],
      ['kms:PutKeyPolicy', arn('kms', 'key/k1'), {}],
      ['servicediscovery:DeregisterInstance', arn('servicediscovery', 'service/srv-1'), {}],
      ...(environment.service?.autoscaling
        ? [
            [
              'application-autoscaling:PutScalingPolicy',
              arn('application-autoscaling', 'scalable-target/1'),
              {},
            ] as [string, string, RequestContext],
          ]
        : []),
      ['cognito-idp:DeleteUserPool', arn('cognito-idp', 'userpool/us-east-1_a'), {}],
    ];
    for (const [action, resource, request] of cases) {
      // Its own environment's resource: allowed (every case is something the stack does).
      expect([
        action,
        allowsRequest(permissions, action, resource, {
          ...request,
          resourceTags: tagged(name),
          requestTags: tagged(name),
        }),
      ]).toEqual([action, true]);
      // The other environment's: refused, even when the request claims this environment's tags.
      expect([
        action,
        allowsRequest(permissions, action, resource, {
          ...request,
          resourceTags: tagged(other),
          requestTags: tagged(name),
        }),
      ]).toEqual([action, false]);
    }
    // A create tags what it makes with this environment, and cannot make another's.
    const newSubnet = ec2('subnet/subnet-1');
    expect(allowsRequest(permissions, 'ec2:CreateSubnet', newSubnet, { requestTags: tagged(name) })).toBe(
      true,
    );
    expect(allowsRequest(permissions, 'ec2:CreateSubnet', newSubnet, { requestTags: tagged(other) })).toBe(
      false,
    );
    expect(allowsRequest(permissions, 'ec2:CreateSubnet', newSubnet, {})).toBe(false);
    // Nor move a resource of its own into another environment by its tags.
    expect(
      allowsRequest(permissions, 'ec2:CreateTags', ec2('vpc/vpc-1'), {
        resourceTags: tagged(name),
        requestTags: { Environment: other },
      }),
    ).toBe(false);
    expect(
      allowsRequest(permissions, 'ec2:CreateTags', ec2('vpc/vpc-1'), {
        resourceTags: tagged(name),
        requestTags: { Name: 'x' },
      }),
    ).toBe(true);
    // Nor take another environment's resource over by tagging it as its own.
    const takeovers: [string, string][] = [
      ['kms:TagResource', arn('kms', 'key/k1')],
      ['cognito-idp:TagResource', arn('cognito-idp', 'userpool/us-east-1_a')],
      ['servicediscovery:TagResource', arn('servicediscovery', 'service/srv-1')],
      ['ec2:CreateTags', ec2('security-group/sg-1')],
      ['apigateway:POST', 'arn:aws:apigateway:us-east-1::/tags/arn%3Aaws%3Aapigateway'],
      ...(environment.service?.autoscaling
        ? ([
            ['application-autoscaling:TagResource', arn('application-autoscaling', 'scalable-target/1')],
            [
              'application-autoscaling:RegisterScalableTarget',
              arn('application-autoscaling', 'scalable-target/1'),
            ],
          ] as [string, string][])
        : []),
    ];
    for (const [action, resource] of takeovers) {
      const request = { resourceTags: tagged(other), requestTags: tagged(name) };
      expect([action, allowsRequest(permissions, action, resource, request)]).toEqual([action, false]);
    }
    // The known limit: an HTTP API's routes and integrations carry no tags (API Gateway inherits tags
    // for REST APIs only), so they are held to the region alone.
    expect(
      allowsRequest(
        permissions,
        'apigateway:PATCH',
        'arn:aws:apigateway:us-east-1::/apis/a1b2c3/routes/r1',
        {},
      ),
    ).toBe(true);
    // Cloud Map's records: its own zone's names only.
    const zone = 'arn:aws:route53:::hostedzone/Z1';
    const records = (names: string[]) => ({
      values: { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': names },
    });
    expect(
      allowsRequest(
        permissions,
        'route53:ChangeResourceRecordSets',
        zone,
        records([`pets.${name}.petstore.local`]),
      ),
    ).toBe(true);
    expect(
      allowsRequest(
        permissions,
        'route53:ChangeResourceRecordSets',
        zone,
        records([`pets.${other}.petstore.local`]),
      ),
    ).toBe(false);
  });

  test("keeps '*' only for calls AWS gives no resource scope, or holds them to the environment's tags", () => {
    // Reads, and calls with no resource-level permissions: named here so that a new one is a decision.
    const unscoped = new Set([
      'ec2:Describe*',
      'ecs:DescribeTaskDefinition',
      'ecr:GetAuthorizationToken',
      'application-autoscaling:Describe*',
      'logs:*LogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'servicediscovery:GetOperation',
      'route53:CreateHostedZone',
      'route53:DeleteHostedZone',
      'route53:Get*',
      'route53:List*',
      'route53:DeleteHealthCheck',
      'apigateway:GET',
      'logs:DescribeLogGroups',
      'logs:DescribeLogStreams',
      'cloudtrail:DescribeTrails',
      // Service-linked roles are the account's, one per service, whichever environment comes first.
      'iam:CreateServiceLinkedRole',
      'application-autoscaling:ListTagsForResource',
      // Reads of keys, and turning a key's rotation on, which only ever makes it safer.
      'kms:DescribeKey',
      'kms:GetKey*',
      'kms:ListResourceTags',
      'kms:EnableKeyRotation',
    ]);
    // Parts of the stack AWS gives no environment scope at all, each a documented limit.
    // (EndpointPrivateDns: an interface endpoint's private DNS zone is the endpoint service's, AWS's own.)
    const knownLimits = new Set(['HttpApiParts', 'EndpointPrivateDns']);
    for (const { statement } of permissions) {
      // A resource pattern that names this environment (`petstore-dev-*`, its state) is held by its name.
      const ownName = (resource: string) =>
        resource.includes(`petstore-${name}`) || resource.startsWith(BUCKET_ARN);
      const wildcard = [statement.Resource].flat().some((resource) => !ownName(resource));
      if (!wildcard) continue;
      // Held by the environment's tag on the resource; by its tag on the request only for a resource no
      // environment has claimed (a create); or by names in its own Cloud Map zone.
      const zone = `${name}.petstore.local`;
      const condition = statement.Condition ?? {};
      const equals = condition.StringEquals ?? {};
      const onResource = equals['aws:ResourceTag/Environment'] === name;
      const creating =
        equals['aws:RequestTag/Environment'] === name &&
        condition.Null?.['aws:ResourceTag/Environment'] === 'true';
      const inZone = Object.values(condition['ForAllValues:StringLike'] ?? {}).some((value) =>
        [value].flat().every((each) => each === zone || each.endsWith(`.${zone}`)),
      );
      const held = onResource || creating || inZone || knownLimits.has(statement.Sid);
      const unscopedOnly = statement.Action.every((action) =>
        [...unscoped].some((pattern) => matches(pattern, action)),
      );
      expect([statement.Sid, held || unscopedOnly]).toEqual([statement.Sid, true]);
    }
  });
});
