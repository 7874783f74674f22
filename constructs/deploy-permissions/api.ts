import type { DeployPermission, Scope } from './context';

const HTTP_API_TYPES = [
  'aws_apigatewayv2_api',
  'aws_apigatewayv2_authorizer',
  'aws_apigatewayv2_integration',
  'aws_apigatewayv2_route',
  'aws_apigatewayv2_stage',
  'aws_apigatewayv2_vpc_link',
];
const CLOUD_MAP_TYPES = ['aws_service_discovery_private_dns_namespace', 'aws_service_discovery_service'];

/**
 * The HTTP API, its access-log delivery, and Cloud Map with its hosted zone. API and VPC-link ids are
 * random, so the environments are told apart by their tags where the resource has them: the API, its
 * stages and VPC links, Cloud Map's namespace and service. An HTTP API's routes, integrations and
 * authorizers carry no tags and inherit none (API Gateway documents tag inheritance for REST APIs only),
 * so they stay reachable for any API in the region: the one part of the stack held by region alone.
 */
export function apiPermissions(scope: Scope): DeployPermission[] {
  const { region, inRegion, taggedForEnvironment, creatingForEnvironment, retaggingOwn, context } = scope;
  const apigateway = (path: string) => `arn:${context.partition}:apigateway:${region}::${path}`;
  const zone = `${context.environment.name}.petstore.local`;
  return [
    {
      policy: 'api',
      neededBy: HTTP_API_TYPES,
      statement: {
        Sid: 'NewHttpApiAndVpcLink',
        Effect: 'Allow',
        Action: ['apigateway:POST'],
        Resource: [apigateway('/apis'), apigateway('/vpclinks')],
        Condition: creatingForEnvironment,
      },
    },
    {
      policy: 'api',
      neededBy: HTTP_API_TYPES,
      statement: {
        Sid: 'HttpApiAndVpcLink',
        Effect: 'Allow',
        Action: ['apigateway:GET', 'apigateway:PATCH', 'apigateway:DELETE'],
        Resource: [apigateway('/apis/*'), apigateway('/vpclinks/*')],
        Condition: taggedForEnvironment,
      },
    },
    {
      policy: 'api',
      neededBy: HTTP_API_TYPES,
      statement: {
        Sid: 'RetagHttpApi',
        Effect: 'Allow',
        Action: ['apigateway:POST', 'apigateway:DELETE'],
        Resource: apigateway('/tags/*'),
        Condition: retaggingOwn,
      },
    },
    {
      policy: 'api',
      neededBy: HTTP_API_TYPES,
      // Routes, integrations, authorizers, deployments and stages of an API: no tags to tell them apart
      // by (see above), so held to the region only.
      statement: {
        Sid: 'HttpApiParts',
        Effect: 'Allow',
        Action: ['apigateway:GET', 'apigateway:POST', 'apigateway:PATCH', 'apigateway:DELETE'],
        Resource: ['routes', 'integrations', 'authorizers', 'deployments', 'stages'].flatMap((part) => [
          apigateway(`/apis/*/${part}`),
          apigateway(`/apis/*/${part}/*`),
        ]),
      },
    },
    {
      policy: 'api',
      neededBy: HTTP_API_TYPES,
      // Listing is a read of the collection, which carries no tags.
      statement: {
        Sid: 'ListHttpApis',
        Effect: 'Allow',
        Action: ['apigateway:GET'],
        Resource: [apigateway('/apis'), apigateway('/vpclinks')],
      },
    },
    {
      policy: 'api',
      neededBy: ['aws_apigatewayv2_stage'],
      // What an HTTP API stage's access logs need from whoever configures them (API Gateway's guide,
      // "Configuring logging for an HTTP API"): `*` because these calls have no resource scope.
      statement: {
        Sid: 'AccessLogDelivery',
        Effect: 'Allow',
        Action: [
          'logs:CreateLogDelivery',
          'logs:GetLogDelivery',
          'logs:UpdateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:DescribeResourcePolicies',
        ],
        Resource: '*',
      },
    },
    {
      policy: 'api',
      neededBy: CLOUD_MAP_TYPES,
      statement: {
        Sid: 'NewCloudMapNamespace',
        Effect: 'Allow',
        // A service is created in a namespace, so CreateService is held to the namespace's tag below.
        Action: ['servicediscovery:CreatePrivateDnsNamespace'],
        Resource: '*',
        Condition: creatingForEnvironment,
      },
    },
    {
      policy: 'api',
      neededBy: [...CLOUD_MAP_TYPES, 'aws_ecs_service'],
      statement: {
        Sid: 'CloudMap',
        Effect: 'Allow',
        Action: [
          'servicediscovery:UpdatePrivateDnsNamespace',
          'servicediscovery:GetNamespace',
          'servicediscovery:DeleteNamespace',
          'servicediscovery:CreateService',
          'servicediscovery:GetService',
          'servicediscovery:UpdateService',
          'servicediscovery:DeleteService',
          'servicediscovery:ListInstances',
          'servicediscovery:DeregisterInstance',
          'servicediscovery:ListTagsForResource',
        ],
        Resource: [scope.arn('servicediscovery', 'namespace/*'), scope.arn('servicediscovery', 'service/*')],
        Condition: taggedForEnvironment,
      },
    },
    {
      policy: 'api',
      neededBy: CLOUD_MAP_TYPES,
      statement: {
        Sid: 'RetagCloudMap',
        Effect: 'Allow',
        Action: ['servicediscovery:TagResource', 'servicediscovery:UntagResource'],
        Resource: [scope.arn('servicediscovery', 'namespace/*'), scope.arn('servicediscovery', 'service/*')],
        Condition: retaggingOwn,
      },
    },
    {
      policy: 'api',
      neededBy: CLOUD_MAP_TYPES,
      // `*`: an operation's status has no resource scope.
      statement: {
        Sid: 'CloudMapOperations',
        Effect: 'Allow',
        Action: ['servicediscovery:GetOperation'],
        Resource: '*',
        Condition: inRegion,
      },
    },
    {
      policy: 'api',
      neededBy: CLOUD_MAP_TYPES,
      // Cloud Map changes the namespace's records as the caller: only names in this environment's zone.
      statement: {
        Sid: 'CloudMapRecords',
        Effect: 'Allow',
        Action: ['route53:ChangeResourceRecordSets'],
        Resource: `arn:${context.partition}:route53:::hostedzone/*`,
        Condition: {
          'ForAllValues:StringLike': {
            'route53:ChangeResourceRecordSetsNormalizedRecordNames': [zone, `*.${zone}`],
          },
        },
      },
    },
    {
      policy: 'api',
      neededBy: CLOUD_MAP_TYPES,
      // Cloud Map creates and deletes the namespace's private hosted zone as the caller. `*` because
      // Route 53 offers no tag or name scope for these (zone ids are random); the reads are reads.
      statement: {
        Sid: 'CloudMapHostedZone',
        Effect: 'Allow',
        Action: [
          'route53:CreateHostedZone',
          'route53:DeleteHostedZone',
          'route53:GetHostedZone',
          'route53:ListHostedZonesByName',
          'route53:ListResourceRecordSets',
          'route53:GetChange',
          'route53:GetHealthCheck',
          'route53:DeleteHealthCheck',
        ],
        Resource: '*',
      },
    },
  ];
}
