import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2Authorizer } from '@cdktf/provider-aws/lib/apigatewayv2-authorizer';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage';
import { Apigatewayv2VpcLink } from '@cdktf/provider-aws/lib/apigatewayv2-vpc-link';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Construct } from 'constructs';
import { LOG_RETENTION_DAYS } from './fargate-service';
import type { Network } from './network';
import type { ServiceDiscovery } from './service-discovery';
import type { UserAuth } from './user-auth';
import { requireIntegerInRange, requireOneOf } from './validation';

/** The routes of the pet API; reads are public, writes need a Cognito token. */
export const PET_ROUTES: readonly { readonly routeKey: string; readonly requiresToken: boolean }[] = [
  { routeKey: 'GET /petstore/pets', requiresToken: false },
  { routeKey: 'GET /petstore/pets/{petId}', requiresToken: false },
  { routeKey: 'POST /petstore/pets/{petId}', requiresToken: true },
  { routeKey: 'PUT /petstore/pets/{petId}', requiresToken: true },
  { routeKey: 'DELETE /petstore/pets/{petId}', requiresToken: true },
];

export interface PetHttpApiProps {
  /** Prefix for names, e.g. `petstore-dev`. */
  readonly namePrefix: string;
  readonly network: Network;
  readonly serviceDiscovery: ServiceDiscovery;
  readonly auth: UserAuth;
  /** Security group of the VPC link's network interfaces (allowed to reach the tasks). */
  readonly vpcLinkSecurityGroup: SecurityGroup;
  /** Requests per second the `$default` stage allows on each route, averaged. @default 100 */
  readonly throttlingRateLimit?: number;
  /** Requests the `$default` stage allows in a burst on each route. @default 200 */
  readonly throttlingBurstLimit?: number;
  /** Days CloudWatch keeps the access logs. @default 30 */
  readonly accessLogRetentionDays?: number;
}

/**
 * API Gateway HTTP API in front of the private service: a VPC link into the private subnets and one
 * HTTP_PROXY integration that resolves the tasks through Cloud Map. The gateway, not the service,
 * checks tokens: a JWT authorizer trusting the Cognito pool guards the write routes.
 */
export class PetHttpApi extends Construct {
  /** The HTTP API. */
  public readonly resource: Apigatewayv2Api;
  public readonly vpcLink: Apigatewayv2VpcLink;
  public readonly integration: Apigatewayv2Integration;
  public readonly authorizer: Apigatewayv2Authorizer;
  public readonly stage: Apigatewayv2Stage;
  public readonly accessLogGroup: CloudwatchLogGroup;
  /** Base URL of the `$default` stage, e.g. `https://abc123.execute-api.us-east-1.amazonaws.com`. */
  public readonly endpoint: string;

  constructor(scope: Construct, id: string, props: PetHttpApiProps) {
    super(scope, id);
    const throttlingRateLimit = props.throttlingRateLimit ?? 100;
    const throttlingBurstLimit = props.throttlingBurstLimit ?? 200;
    const accessLogRetentionDays = props.accessLogRetentionDays ?? 30;
    requireIntegerInRange('throttlingRateLimit', throttlingRateLimit, 1, 10_000);
    requireIntegerInRange('throttlingBurstLimit', throttlingBurstLimit, 1, 5_000);
    requireOneOf('accessLogRetentionDays', accessLogRetentionDays, LOG_RETENTION_DAYS);

    this.resource = new Apigatewayv2Api(this, 'Api', {
      name: `${props.namePrefix}-api`,
      protocolType: 'HTTP',
      description: 'Pet store API: public reads, Cognito-authorized writes',
    });
    this.vpcLink = new Apigatewayv2VpcLink(this, 'VpcLink', {
      name: `${props.namePrefix}-vpc-link`,
      subnetIds: props.network.privateSubnetIds,
      securityGroupIds: [props.vpcLinkSecurityGroup.id],
      // A VPC link cannot change subnets in place, and the old one cannot go while the integration uses it.
      lifecycle: { createBeforeDestroy: true },
    });
    this.integration = new Apigatewayv2Integration(this, 'ServiceIntegration', {
      apiId: this.resource.id,
      integrationType: 'HTTP_PROXY',
      integrationMethod: 'ANY',
      connectionType: 'VPC_LINK',
      connectionId: this.vpcLink.id,
      // With a VPC link, a Cloud Map service ARN makes the gateway pick a registered task per request.
      integrationUri: props.serviceDiscovery.serviceArn,
      payloadFormatVersion: '1.0',
      // The service logs this id, so a gateway access-log line and the service's line share a request id.
      requestParameters: { 'overwrite:header.x-request-id': '$context.requestId' },
    });
    this.authorizer = new Apigatewayv2Authorizer(this, 'CognitoAuthorizer', {
      apiId: this.resource.id,
      name: 'cognito',
      authorizerType: 'JWT',
      identitySources: ['$request.header.Authorization'],
      jwtConfiguration: {
        issuer: props.auth.issuerUrl,
        // Access tokens carry the app client id as `client_id`, ID tokens as `aud`; the gateway accepts either.
        audience: [props.auth.clientId],
      },
    });

    for (const route of PET_ROUTES) {
      new Apigatewayv2Route(this, routeId(route.routeKey), {
        apiId: this.resource.id,
        routeKey: route.routeKey,
        target: `integrations/${this.integration.id}`,
        ...(route.requiresToken
          ? { authorizationType: 'JWT', authorizerId: this.authorizer.id }
          : { authorizationType: 'NONE' }),
      });
    }

    this.accessLogGroup = new CloudwatchLogGroup(this, 'AccessLogGroup', {
      name: `/aws/apigateway/${props.namePrefix}-api`,
      retentionInDays: accessLogRetentionDays,
    });
    this.stage = new Apigatewayv2Stage(this, 'DefaultStage', {
      apiId: this.resource.id,
      name: '$default',
      autoDeploy: true,
      defaultRouteSettings: { throttlingRateLimit, throttlingBurstLimit },
      accessLogSettings: {
        destinationArn: this.accessLogGroup.arn,
        format: JSON.stringify({
          requestId: '$context.requestId',
          ip: '$context.identity.sourceIp',
          requestTime: '$context.requestTime',
          routeKey: '$context.routeKey',
          status: '$context.status',
          responseLength: '$context.responseLength',
          latencyMs: '$context.responseLatency',
          integrationStatus: '$context.integrationStatus',
          integrationError: '$context.integrationErrorMessage',
          authorizerError: '$context.authorizer.error',
          user: '$context.authorizer.claims.sub',
        }),
      },
    });
    this.endpoint = this.resource.apiEndpoint;
  }
}

/** `GET /petstore/pets/{petId}` → `RouteGetPet`, a stable id per route. */
function routeId(routeKey: string): string {
  const [method = '', path = ''] = routeKey.split(' ');
  const item = path.endsWith('{petId}');
  return `Route${method.charAt(0)}${method.slice(1).toLowerCase()}${item ? 'Pet' : 'Pets'}`;
}
