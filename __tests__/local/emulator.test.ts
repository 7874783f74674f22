import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateApiMappingCommand,
  CreateAuthorizerCommand,
  CreateDomainNameCommand,
  CreateIntegrationCommand,
  type CreateIntegrationCommandInput,
  CreateRouteCommand,
  CreateStageCommand,
  GetDomainNameCommand,
} from '@aws-sdk/client-apigatewayv2';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreatePrivateDnsNamespaceCommand,
  CreateServiceCommand,
  DeregisterInstanceCommand,
  GetOperationCommand,
  RegisterInstanceCommand,
  ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { EMULATOR_CREDENTIALS, type Emulator, startEmulator } from '../../scripts/lib/emulator';
import { cloudMapEndpoints } from '../../scripts/local/cloud-map';
import { loadHttpApi } from '../../scripts/local/http-api';

// The real emulator (moto, with the calls scripts/lib/emulator/moto-server.py adds), as npm run local uses it.
let emulator: Emulator;
let clientConfig: { region: string; endpoint: string; credentials: typeof EMULATOR_CREDENTIALS };

beforeAll(async () => {
  emulator = await startEmulator({ ...process.env, EMULATOR_ENDPOINT: '' });
  clientConfig = { region: 'us-east-1', endpoint: emulator.endpoint, credentials: EMULATOR_CREDENTIALS };
}, 30_000);

afterAll(() => emulator?.stop());

/** A Cloud Map service made as the provider makes it: the namespace only inside DnsConfig. */
async function cloudMapService(client: ServiceDiscoveryClient, name: string, vpc = 'vpc-0123456789abcdef0') {
  const { OperationId } = await client.send(
    new CreatePrivateDnsNamespaceCommand({ Name: `${name}.petstore.local`, Vpc: vpc }),
  );
  const operation = await client.send(new GetOperationCommand({ OperationId }));
  const namespaceId = operation.Operation?.Targets?.NAMESPACE as string;
  const { Service } = await client.send(
    new CreateServiceCommand({
      Name: 'pets',
      DnsConfig: {
        NamespaceId: namespaceId,
        RoutingPolicy: 'MULTIVALUE',
        DnsRecords: [{ Type: 'SRV', TTL: 60 }],
      },
      HealthCheckCustomConfig: { FailureThreshold: 1 },
    }),
  );
  return { id: Service?.Id as string, arn: Service?.Arn as string };
}

describe("the emulator's DynamoDB", () => {
  test('a conditional write is atomic: of 50 concurrent creates of one new item, exactly one succeeds', async () => {
    const client = new DynamoDBClient({ ...clientConfig, maxAttempts: 1 });
    const TableName = `atomic-${Date.now()}`;
    await client.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'petId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'petId', KeyType: 'HASH' }],
      }),
    );
    // Five rounds: an unlocked moto let two through in about one round of five.
    for (let round = 0; round < 5; round++) {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 50 }, (_, writer) =>
          client.send(
            new PutItemCommand({
              TableName,
              Item: { petId: { S: `pet-${round}` }, writer: { N: String(writer) } },
              ConditionExpression: 'attribute_not_exists(petId)',
            }),
          ),
        ),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected')
          expect(outcome.reason).toBeInstanceOf(ConditionalCheckFailedException);
      }
    }
  });

  test('keeps global table replicas as the provider adds and removes them (table.replicaRegions)', async () => {
    const client = new DynamoDBClient(clientConfig);
    const inWest = new DynamoDBClient({ ...clientConfig, region: 'us-west-2' });
    const TableName = `replicated-${Date.now()}`;
    await client.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'petId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'petId', KeyType: 'HASH' }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
        SSESpecification: { Enabled: true },
      }),
    );
    await client.send(
      new UpdateTableCommand({ TableName, ReplicaUpdates: [{ Create: { RegionName: 'us-west-2' } }] }),
    );
    const { Table } = await client.send(new DescribeTableCommand({ TableName }));
    expect(Table?.Replicas).toEqual([{ RegionName: 'us-west-2', ReplicaStatus: 'ACTIVE' }]);
    const replica = await inWest.send(new DescribeTableCommand({ TableName }));
    expect(replica.Table?.KeySchema).toEqual([{ AttributeName: 'petId', KeyType: 'HASH' }]);
    expect(replica.Table?.SSEDescription?.Status).toBe('ENABLED');

    await client.send(
      new UpdateTableCommand({ TableName, ReplicaUpdates: [{ Delete: { RegionName: 'us-west-2' } }] }),
    );
    expect((await client.send(new DescribeTableCommand({ TableName }))).Table?.Replicas).toBeUndefined();
    await expect(inWest.send(new DescribeTableCommand({ TableName }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

/** A call to the emulator as an unsigned AWS request (moto reads the service from the credential scope). */
function emulatorCall(
  service: string,
  init: { method?: string; path?: string; target?: string; body?: unknown },
) {
  return fetch(`${emulator.endpoint}${init.path ?? '/'}`, {
    method: init.method ?? 'POST',
    headers: {
      authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
      ...(init.target && { 'x-amz-target': init.target, 'content-type': 'application/x-amz-json-1.1' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

describe("the emulator's CloudTrail", () => {
  test('starts and stops logging of a trail named by its ARN, as the provider names it', async () => {
    const bucket = `trail-${Date.now()}`;
    expect((await emulatorCall('s3', { method: 'PUT', path: `/${bucket}` })).status).toBe(200);
    const trail = (action: string, body: unknown) =>
      emulatorCall('cloudtrail', { target: `CloudTrail_20131101.${action}`, body });
    const created = await trail('CreateTrail', { Name: bucket, S3BucketName: bucket });
    const { TrailARN } = (await created.json()) as { TrailARN: string };
    expect((await trail('StartLogging', { Name: TrailARN })).status).toBe(200);
    const status = await trail('GetTrailStatus', { Name: bucket });
    expect(((await status.json()) as { IsLogging: boolean }).IsLogging).toBe(true);
    expect((await trail('StopLogging', { Name: TrailARN })).status).toBe(200);
    expect((await trail('DeleteTrail', { Name: TrailARN })).status).toBe(200);
    const left = await trail('DescribeTrails', { trailNameList: [bucket] });
    expect(((await left.json()) as { trailList: unknown[] }).trailList).toEqual([]);
  });
});

describe("the emulator's Cloud Map", () => {
  test('forgets a deregistered instance at once: the lag the pre-stop delay covers is not the emulator’s', async () => {
    const client = new ServiceDiscoveryClient({ ...clientConfig, disableHostPrefix: true });
    // A VPC of its own: moto refuses two namespaces under one domain in one VPC.
    const service = await cloudMapService(client, `lag-${Date.now()}`, 'vpc-0fedcba9876543210');
    await client.send(
      new RegisterInstanceCommand({
        ServiceId: service.id,
        InstanceId: 'task-1',
        Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '8080' },
      }),
    );
    // No refresh lag of the gateway's own: only the emulator's is measured.
    const endpoints = cloudMapEndpoints(client, 0);
    expect(await endpoints(service.id)).toHaveLength(1);
    await client.send(new DeregisterInstanceCommand({ ServiceId: service.id, InstanceId: 'task-1' }));
    expect(await endpoints(service.id)).toEqual([]);
  });
});

describe("the emulator's API Gateway custom domain names", () => {
  test('are AVAILABLE at once with a regional target for the alias records, and take a mapping of $default', async () => {
    const client = new ApiGatewayV2Client(clientConfig);
    const { DomainNameConfigurations } = await client.send(
      new CreateDomainNameCommand({
        DomainName: 'api.emulator.example.com',
        DomainNameConfigurations: [
          { CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/c1', EndpointType: 'REGIONAL' },
        ],
      }),
    );
    // What the provider waits for, and what the A and AAAA aliases point at.
    expect(DomainNameConfigurations?.[0]).toMatchObject({
      DomainNameStatus: 'AVAILABLE',
      ApiGatewayDomainName: expect.stringMatching(/^d-[0-9a-f]{10}\.execute-api\.us-east-1\.amazonaws\.com$/),
      HostedZoneId: 'Z1UJRXOUMOOFQ8',
      EndpointType: 'REGIONAL',
    });
    // No mutual TLS block unless one was asked for, as AWS reads it back.
    const read = await client.send(new GetDomainNameCommand({ DomainName: 'api.emulator.example.com' }));
    expect(read.MutualTlsAuthentication).toBeUndefined();
    const { ApiId } = await client.send(new CreateApiCommand({ Name: 'mapped', ProtocolType: 'HTTP' }));
    const mapping = await client.send(
      new CreateApiMappingCommand({ DomainName: 'api.emulator.example.com', ApiId, Stage: '$default' }),
    );
    expect(mapping.Stage).toBe('$default');
  });
});

/** An HTTP API as the stack makes it, with its JWT authorizer and its integration, less its routes. */
async function httpApi(client: ApiGatewayV2Client, change: Partial<CreateIntegrationCommandInput> = {}) {
  const { ApiId = '' } = await client.send(new CreateApiCommand({ Name: 'test-api', ProtocolType: 'HTTP' }));
  const { AuthorizerId } = await client.send(
    new CreateAuthorizerCommand({
      ApiId,
      Name: 'cognito',
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: 'https://cognito-idp.us-east-1.amazonaws.com/pool', Audience: ['client'] },
    }),
  );
  const { IntegrationId } = await client.send(
    new CreateIntegrationCommand({
      ApiId,
      IntegrationType: 'HTTP_PROXY',
      IntegrationMethod: 'ANY',
      ConnectionType: 'VPC_LINK',
      ConnectionId: 'vpclink',
      IntegrationUri: 'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-0123456789',
      PayloadFormatVersion: '1.0',
      RequestParameters: { 'overwrite:header.x-request-id': '$context.requestId' },
      ...change,
    }),
  );
  await client.send(new CreateStageCommand({ ApiId, StageName: '$default', AutoDeploy: true }));
  return { ApiId, AuthorizerId, integrationId: IntegrationId };
}

describe('the local gateway against the emulator', () => {
  test('reads routes, scopes, the JWT authorizer and the integration from API Gateway', async () => {
    const client = new ApiGatewayV2Client(clientConfig);
    const { ApiId, AuthorizerId, integrationId } = await httpApi(client);
    await client.send(
      new CreateRouteCommand({ ApiId, RouteKey: 'GET /pets', Target: `integrations/${integrationId}` }),
    );
    await client.send(
      new CreateRouteCommand({
        ApiId,
        RouteKey: 'POST /pets/{petId}',
        Target: `integrations/${integrationId}`,
        AuthorizationType: 'JWT',
        AuthorizerId,
        AuthorizationScopes: ['petstore/pets.write'],
      }),
    );

    const api = await loadHttpApi(client, ApiId);
    const integration = {
      serviceId: 'srv-0123456789',
      headers: { 'x-request-id': '$context.requestId' },
      timeoutMillis: 30_000,
    };
    expect(api.routes).toEqual(
      expect.arrayContaining([
        { method: 'GET', path: '/pets', scopes: [], integration },
        {
          method: 'POST',
          path: '/pets/{petId}',
          authorizer: {
            header: 'authorization',
            issuer: 'https://cognito-idp.us-east-1.amazonaws.com/pool',
            audience: ['client'],
          },
          scopes: ['petstore/pets.write'],
          integration,
        },
      ]),
    );
    expect(api.routes).toHaveLength(2);
    client.destroy();
  });

  const refused: [string, Partial<CreateIntegrationCommandInput>, string, string][] = [
    [
      'an integration of another kind',
      { IntegrationType: 'AWS_PROXY', ConnectionType: 'INTERNET' },
      'GET /pets',
      'the local gateway serves HTTP_PROXY ANY integrations over a VPC link to a Cloud Map service only',
    ],
    [
      'a request parameter mapping it does not know',
      { RequestParameters: { 'overwrite:path': '$request.path.petId' } },
      'GET /pets',
      'request parameter overwrite:path = $request.path.petId is not one the local gateway maps',
    ],
    [
      'a greedy route',
      {},
      'ANY /{proxy+}',
      'the local gateway serves a method and a path of literal and {variable} segments',
    ],
  ];
  test.each(refused)(
    'refuses %s, which it would not serve as API Gateway does',
    async (_case, change, routeKey, message) => {
      const client = new ApiGatewayV2Client(clientConfig);
      const { ApiId, integrationId } = await httpApi(client, change);
      await client.send(
        new CreateRouteCommand({ ApiId, RouteKey: routeKey, Target: `integrations/${integrationId}` }),
      );
      await expect(loadHttpApi(client, ApiId)).rejects.toThrow(message);
      client.destroy();
    },
  );

  test('finds tasks registered as ECS registers them, and sees a deregistration only after its refresh', async () => {
    const client = new ServiceDiscoveryClient({ ...clientConfig, disableHostPrefix: true });
    const service = await cloudMapService(client, 'resolver');
    const attributes = { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: '8080' };
    await client.send(
      new RegisterInstanceCommand({ ServiceId: service.id, InstanceId: 'task-1', Attributes: attributes }),
    );
    await client.send(
      new RegisterInstanceCommand({
        ServiceId: service.id,
        InstanceId: 'task-2',
        Attributes: { ...attributes, AWS_INSTANCE_PORT: '8081' },
      }),
    );

    let now = 0;
    const endpoints = cloudMapEndpoints(client, 5_000, () => now);
    expect(await endpoints(service.id)).toEqual(
      expect.arrayContaining([
        { host: '127.0.0.1', port: 8080 },
        { host: '127.0.0.1', port: 8081 },
      ]),
    );
    await client.send(new DeregisterInstanceCommand({ ServiceId: service.id, InstanceId: 'task-2' }));
    // API Gateway's view of Cloud Map lags; so does the stand-in's, until the refresh.
    now = 4_999;
    expect(await endpoints(service.id)).toHaveLength(2);
    now = 5_000;
    expect(await endpoints(service.id)).toEqual([{ host: '127.0.0.1', port: 8080 }]);
    client.destroy();
  });
});

describe('startEmulator', () => {
  test('uses a running emulator given by EMULATOR_ENDPOINT and leaves it running', async () => {
    const given = await startEmulator({ EMULATOR_ENDPOINT: `${emulator.endpoint}/` });
    expect(given.endpoint).toBe(emulator.endpoint);
    await given.stop();
    expect((await fetch(`${emulator.endpoint}/moto-api/`)).ok).toBe(true);
  });

  test('refuses an EMULATOR_ENDPOINT that is not on this machine', async () => {
    await expect(startEmulator({ EMULATOR_ENDPOINT: 'http://10.0.0.5:5000' })).rejects.toThrow(
      "EMULATOR_ENDPOINT is 'http://10.0.0.5:5000': the emulator must be on this machine (a loopback address)",
    );
  });
});
