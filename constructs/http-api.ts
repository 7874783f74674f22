import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2Authorizer } from '@cdktf/provider-aws/lib/apigatewayv2-authorizer';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage';
import { Apigatewayv2VpcLink } from '@cdktf/provider-aws/lib/apigatewayv2-vpc-link';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { PET_ROUTES, type PetRoute, routeKey, WRITE_ROUTE_SCOPES } from '../app/contract';
import { ApiCustomDomain, type CustomDomain } from './api-domain';
import { LOG_RETENTION_DAYS } from './logs';
import type { Network } from './network';
import type { ServiceDiscovery } from './service-discovery';
import type { UserAuth } from './user-auth';
import { invalid, requireIntegerInRange, requireOneOf } from './validation';

/** What a browser origin may look like: https, or http on the loopback for a local dev server; no path. */
const ORIGIN =
  /^(https:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+|http:\/\/(localhost|127\.0\.0\.1))(:\d{1,5})?$/;

export interface PetHttpApiProps {
  /** Prefix for names, e.g. `petstore-dev`. */
  readonly namePrefix: string;
  /** Where the VPC link's interfaces go: the private subnets. */
  readonly network: Pick<Network, 'privateSubnetIds'>;
  /** The Cloud Map service the integration resolves. */
  readonly serviceDiscovery: Pick<ServiceDiscovery, 'serviceArn'>;
  /** Whose tokens the JWT authorizer accepts. */
  readonly auth: Pick<UserAuth, 'issuerUrl' | 'audience'>;
  /** Security group of the VPC link's network interfaces (allowed to reach the tasks). */
  readonly vpcLinkSecurityGroup: Pick<SecurityGroup, 'id'>;
  /** Requests per second the `$default` stage allows on each route, averaged. @default 100 */
  readonly throttlingRateLimit?: number;
  /** Requests the `$default` stage allows in a burst on each route. @default 200 */
  readonly throttlingBurstLimit?: number;
  /** Days CloudWatch keeps the access logs. @default 30 */
  readonly accessLogRetentionDays?: number;
  /**
   * Browser origins (`https://app.example.com`, or `http://localhost:<port>` for a dev server) allowed to
   * call the API from a web page; never `*`. @default [] - no CORS configuration: only non-browser clients
   */
  readonly corsAllowOrigins?: readonly string[];
  /**
   * Serve the API at `https://<domainName>` (an ACM certificate validated in the Route 53 zone, alias
   * records) and turn its execute-api address off, so the domain is the only way in.
   * @default - none: the API answers at its execute-api address
   */
  readonly customDomain?: CustomDomain;
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
  /**
   * Base URL of the `$default` stage, e.g. `https://abc123.execute-api.us-east-1.amazonaws.com`, or
   * `https://<domainName>` with a custom domain.
   */
  public readonly endpoint: string;
  /** The custom domain, when there is one. */
  public readonly customDomain?: ApiCustomDomain;

  constructor(scope: Construct, id: string, props: PetHttpApiProps) {
    super(scope, id);
    const throttlingRateLimit = props.throttlingRateLimit ?? 100;
    const throttlingBurstLimit = props.throttlingBurstLimit ?? 200;
    const accessLogRetentionDays = props.accessLogRetentionDays ?? 30;
    requireIntegerInRange('throttlingRateLimit', throttlingRateLimit, 1, 10_000);
    requireIntegerInRange('throttlingBurstLimit', throttlingBurstLimit, 1, 5_000);
    requireOneOf('accessLogRetentionDays', accessLogRetentionDays, LOG_RETENTION_DAYS);
    const corsAllowOrigins = props.corsAllowOrigins ?? [];
    corsAllowOrigins.forEach((origin, index) => {
      if (!Token.isUnresolved(origin) && !ORIGIN.test(origin))
        throw invalid(
          `corsAllowOrigins[${index}]`,
          origin,
          'expected an origin without a path: https://<host>[:port], or http://localhost[:port] for a dev server; never *',
        );
    });

    this.resource = new Apigatewayv2Api(this, 'Api', {
      name: `${props.namePrefix}-api`,
      protocolType: 'HTTP',
      description: 'Pet store API: public reads, Cognito-authorized writes',
      // With a custom domain, its certificate, TLS policy and access logs are the only way in.
      disableExecuteApiEndpoint: props.customDomain ? true : undefined,
      // A browser client is a web page on its own origin that sends the access token in the Authorization
      // header (no cookies, hence no credentials) and JSON bodies. The gateway answers the preflight
      // itself, before any authorizer, and caches it for an hour.
      corsConfiguration:
        corsAllowOrigins.length === 0
          ? undefined
          : {
              allowOrigins: [...corsAllowOrigins],
              allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
              allowHeaders: ['authorization', 'content-type'],
              // Location after a create, Retry-After on a 503, and the id that finds the request in the logs.
              exposeHeaders: ['location', 'retry-after', 'x-request-id'],
              allowCredentials: false,
              maxAge: 3600,
            },
    });
    this.vpcLink = new Apigatewayv2VpcLink(this, 'VpcLink', {
      name: `${props.namePrefix}-vpc-link`,
      subnetIds: props.network.privateSubnetIds,
      securityGroupIds: [props.vpcLinkSecurityGroup.id],
      // A VPC link cannot change subnets in place (adding an AZ replaces it), and AWS refuses to delete the
      // old one while the integration uses it. Terraform spreads create-before-destroy to what the link
      // depends on, so its security group has a generated name (see ServiceSecurityGroups); VPC link
      // names need not be unique.
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
        // Access tokens have no `aud`: the gateway then checks their `client_id` against this list. The
        // write routes' scope keeps ID tokens (whose `aud` is the client id) out.
        audience: props.auth.audience,
      },
    });

    for (const route of Object.values<PetRoute>(PET_ROUTES)) {
      new Apigatewayv2Route(this, routeId(route), {
        apiId: this.resource.id,
        routeKey: routeKey(route),
        target: `integrations/${this.integration.id}`,
        ...(route.requiresToken
          ? {
              authorizationType: 'JWT',
              authorizerId: this.authorizer.id,
              authorizationScopes: [...WRITE_ROUTE_SCOPES],
            }
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
          userAgent: '$context.identity.userAgent',
          protocol: '$context.protocol',
          requestTime: '$context.requestTime',
          httpMethod: '$context.httpMethod',
          path: '$context.path',
          routeKey: '$context.routeKey',
          status: '$context.status',
          responseLength: '$context.responseLength',
          latencyMs: '$context.responseLatency',
          integrationLatencyMs: '$context.integrationLatency',
          integrationStatus: '$context.integrationStatus',
          // The gateway's own error (authorizer refusal, throttling, no route), beside the integration's.
          errorMessage: '$context.error.message',
          integrationError: '$context.integrationErrorMessage',
          authorizerError: '$context.authorizer.error',
          user: '$context.authorizer.claims.sub',
        }),
      },
    });
    if (props.customDomain) {
      this.customDomain = new ApiCustomDomain(this, 'CustomDomain', {
        ...props.customDomain,
        apiId: this.resource.id,
        stage: this.stage.id,
      });
    }
    this.endpoint = this.customDomain?.url ?? this.resource.apiEndpoint;
  }
}

/**
 * A stable id per route: `GET /petstore/pets/{petId}` → `RouteGetPet`, `GET /petstore/openapi.json` →
 * `RouteGetOpenapiJson`. The pet routes keep the ids they were deployed with (a new id replaces a route).
 */
function routeId({ method, path }: PetRoute): string {
  const verb = `${method.charAt(0)}${method.slice(1).toLowerCase()}`;
  if (path.startsWith('/petstore/pets')) return `Route${verb}${path.endsWith('{petId}') ? 'Pet' : 'Pets'}`;
  const words = path.replace(/^\/petstore\//, '').split(/[^A-Za-z0-9]+/);
  return `Route${verb}${words.map((word) => `${word.charAt(0).toUpperCase()}${word.slice(1)}`).join('')}`;
}
