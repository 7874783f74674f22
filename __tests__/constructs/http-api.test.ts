import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2Authorizer } from '@cdktf/provider-aws/lib/apigatewayv2-authorizer';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage';
import { Apigatewayv2VpcLink } from '@cdktf/provider-aws/lib/apigatewayv2-vpc-link';
import { Fn, Token } from 'cdktf';
import { PetHttpApi, type PetHttpApiProps } from '../../constructs/http-api';
import {
  httpApiProps,
  onlyResource,
  REGION,
  ref,
  resourcesOf,
  serviceDependencies,
  synthScope,
} from './support';

function synthApi(props: Partial<PetHttpApiProps> = {}) {
  const refs = {
    cloudMap: '',
    vpcLink: '',
    vpcLinkGroup: '',
    integration: '',
    authorizer: '',
    userPool: '',
    client: '',
    smokeTestClient: '',
  };
  const synthesized = synthScope((scope) => {
    const deps = serviceDependencies(scope);
    const base = httpApiProps(scope, deps);
    const api = new PetHttpApi(scope, 'HttpApi', { ...base, ...props });
    // The pool and clients the tests' own props made (no test gives another).
    const { auth } = base;
    refs.cloudMap = ref(deps.serviceDiscovery.resource, 'arn');
    refs.vpcLink = ref(api.vpcLink, 'id');
    refs.vpcLinkGroup = ref(deps.securityGroups.vpcLink, 'id');
    refs.integration = ref(api.integration, 'id');
    refs.authorizer = ref(api.authorizer, 'id');
    refs.userPool = ref(auth.resource, 'id');
    refs.client = ref(auth.client, 'id');
    refs.smokeTestClient = ref(auth.smokeTestClient, 'id');
  });
  return { synthesized, refs };
}

describe('PetHttpApi', () => {
  const { synthesized, refs } = synthApi();

  test('is an HTTP API', () => {
    expect(synthesized).toHaveResourceWithProperties(Apigatewayv2Api, { protocol_type: 'HTTP' });
  });

  test('the VPC link sits in the private subnets behind its own security group', () => {
    expect(synthesized).toHaveResourceWithProperties(Apigatewayv2VpcLink, {
      security_group_ids: [refs.vpcLinkGroup],
      subnet_ids: [expect.stringMatching(/^\$\{aws_subnet\.Network_PrivateSubnet1_\w+\.id\}$/)],
    });
  });

  test('a change of subnets brings up the new VPC link before the old one goes', () => {
    // Subnets cannot change in place, and the integration still uses the old link.
    expect(onlyResource(synthesized, 'aws_apigatewayv2_vpc_link').lifecycle).toEqual({
      create_before_destroy: true,
    });
  });

  test('one HTTP_PROXY integration reaches the Cloud Map service through the VPC link', () => {
    expect(synthesized).toHaveResourceWithProperties(Apigatewayv2Integration, {
      integration_type: 'HTTP_PROXY',
      connection_type: 'VPC_LINK',
      connection_id: refs.vpcLink,
      integration_uri: refs.cloudMap,
      payload_format_version: '1.0',
    });
    expect(resourcesOf(synthesized, 'aws_apigatewayv2_integration')).toHaveLength(1);
  });

  test('the JWT authorizer trusts the user pool as issuer and its two clients (app, smoke test) as audience', () => {
    expect(synthesized).toHaveResourceWithProperties(Apigatewayv2Authorizer, {
      authorizer_type: 'JWT',
      identity_sources: ['$request.header.Authorization'],
      jwt_configuration: {
        issuer: `https://cognito-idp.${REGION}.amazonaws.com/${refs.userPool}`,
        audience: [refs.client, refs.smokeTestClient],
      },
    });
  });

  test('reads are public and writes need an access token: the scope ID tokens lack', () => {
    const routes = Object.fromEntries(
      resourcesOf(synthesized, 'aws_apigatewayv2_route').map((route) => [
        route.route_key,
        {
          type: route.authorization_type,
          authorizer: route.authorizer_id,
          scopes: route.authorization_scopes,
          target: route.target,
        },
      ]),
    );
    const target = `integrations/${refs.integration}`;
    const open = { type: 'NONE', authorizer: undefined, scopes: undefined, target };
    const guarded = {
      type: 'JWT',
      authorizer: refs.authorizer,
      scopes: ['aws.cognito.signin.user.admin'],
      target,
    };
    expect(routes).toEqual({
      'GET /petstore/openapi.json': open,
      'GET /petstore/pets': open,
      'HEAD /petstore/pets': open,
      'GET /petstore/pets/{petId}': open,
      'POST /petstore/pets/{petId}': guarded,
      'PUT /petstore/pets/{petId}': guarded,
      'DELETE /petstore/pets/{petId}': guarded,
    });
  });

  test('each route keeps the address it was deployed with: a new id would replace it', () => {
    const addresses = Object.keys(JSON.parse(synthesized).resource.aws_apigatewayv2_route);
    expect(addresses.map((address) => address.replace(/^HttpApi_(\w+)_[0-9A-F]{8}$/, '$1')).sort()).toEqual([
      'RouteDeletePet',
      'RouteGetOpenapiJson',
      'RouteGetPet',
      'RouteGetPets',
      'RouteHeadPets',
      'RoutePostPet',
      'RoutePutPet',
    ]);
  });

  test('the $default stage auto-deploys, throttles and writes JSON access logs', () => {
    const stage = onlyResource(synthesized, 'aws_apigatewayv2_stage');
    expect(stage).toMatchObject({
      name: '$default',
      auto_deploy: true,
      default_route_settings: { throttling_rate_limit: 100, throttling_burst_limit: 200 },
      access_log_settings: { destination_arn: expect.stringContaining('aws_cloudwatch_log_group.') },
    });
    const format = JSON.parse(stage.access_log_settings.format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
  });

  test("access logs say what was asked, the gateway's own error and the integration's latency", () => {
    const stage = onlyResource(synthesized, 'aws_apigatewayv2_stage');
    expect(JSON.parse(stage.access_log_settings.format)).toMatchObject({
      httpMethod: '$context.httpMethod',
      path: '$context.path',
      errorMessage: '$context.error.message',
      integrationLatencyMs: '$context.integrationLatency',
      // Who asked, and how: an abusive client stands out by its user agent and protocol.
      userAgent: '$context.identity.userAgent',
      protocol: '$context.protocol',
    });
  });

  test('no CORS configuration by default: no browser origin may call the API', () => {
    expect(onlyResource(synthesized, 'aws_apigatewayv2_api').cors_configuration).toBeUndefined();
  });

  test('CORS admits exactly the configured origins, the Authorization header and JSON, without credentials', () => {
    const withCors = synthApi({ corsAllowOrigins: ['https://pets.example.com', 'http://localhost:5173'] });
    expect(onlyResource(withCors.synthesized, 'aws_apigatewayv2_api').cors_configuration).toEqual({
      allow_origins: ['https://pets.example.com', 'http://localhost:5173'],
      allow_methods: ['GET', 'POST', 'PUT', 'DELETE'],
      allow_headers: ['authorization', 'content-type'],
      expose_headers: ['location', 'retry-after', 'x-request-id'],
      allow_credentials: false,
      max_age: 3600,
    });
  });

  test('throttling limits are props', () => {
    const custom = synthApi({ throttlingRateLimit: 10, throttlingBurstLimit: 20 }).synthesized;
    expect(custom).toHaveResourceWithProperties(Apigatewayv2Stage, {
      default_route_settings: { throttling_rate_limit: 10, throttling_burst_limit: 20 },
    });
  });

  test.each<[Partial<PetHttpApiProps>, string]>([
    [{ throttlingRateLimit: 0 }, '`throttlingRateLimit` is 0; expected an integer from 1 to 10000.'],
    [{ throttlingBurstLimit: 1.5 }, '`throttlingBurstLimit` is 1.5; expected an integer from 1 to 5000.'],
    [{ accessLogRetentionDays: 2 }, '`accessLogRetentionDays` is 2; expected one of 1, 3, 5'],
    [{ corsAllowOrigins: ['*'] }, "`corsAllowOrigins[0]` is '*'; expected an origin without a path"],
    [
      { corsAllowOrigins: ['https://pets.example.com', 'https://pets.example.com/app'] },
      "`corsAllowOrigins[1]` is 'https://pets.example.com/app'; expected an origin without a path",
    ],
    [{ corsAllowOrigins: ['http://pets.example.com'] }, "`corsAllowOrigins[0]` is 'http://pets.example.com'"],
    [{ corsAllowOrigins: ['https://*.example.com'] }, "`corsAllowOrigins[0]` is 'https://*.example.com'"],
  ])('rejects %o', (props, message) => {
    expect(() => synthApi(props)).toThrow(message);
  });

  test('settings computed by Terraform functions (unresolved tokens) pass the checks, as in AWS CDK', () => {
    const { synthesized } = synthApi({
      corsAllowOrigins: [Fn.lower('https://APP.EXAMPLE.COM')],
      throttlingRateLimit: Token.asNumber(Fn.tonumber('500')),
      accessLogRetentionDays: Token.asNumber(Fn.tonumber('90')),
    });
    expect(onlyResource(synthesized, 'aws_apigatewayv2_api').cors_configuration.allow_origins).toEqual([
      `\${lower("https://APP.EXAMPLE.COM")}`,
    ]);
    expect(onlyResource(synthesized, 'aws_apigatewayv2_stage').default_route_settings).toMatchObject({
      throttling_rate_limit: `\${tonumber("500")}`,
    });
  });
});
