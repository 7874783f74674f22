import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateApiMappingCommand,
  CreateAuthorizerCommand,
  CreateDomainNameCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  GetDomainNameCommand,
} from '@aws-sdk/client-apigatewayv2';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
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
import { CloudMapResolver } from '../../scripts/local/cloud-map';
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
    // No refresh lag of the resolver's own: only the emulator's is measured.
    const resolver = new CloudMapResolver(client, 0);
    expect(await resolver.endpoints(service.arn)).toHaveLength(1);
    await client.send(new DeregisterInstanceCommand({ ServiceId: service.id, InstanceId: 'task-1' }));
    expect(await resolver.endpoints(service.arn)).toEqual([]);
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

describe('the local gateway against the emulator', () => {
  test('reads routes, scopes, the JWT authorizer and the integration from API Gateway', async () => {
    const client = new ApiGatewayV2Client(clientConfig);
    const { ApiId } = await client.send(new CreateApiCommand({ Name: 'test-api', ProtocolType: 'HTTP' }));
    const { AuthorizerId } = await client.send(
      new CreateAuthorizerCommand({
        ApiId,
        Name: 'cognito',
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: {
          Issuer: 'https://cognito-idp.us-east-1.amazonaws.com/pool',
          Audience: ['client'],
        },
      }),
    );
    const serviceArn = 'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-0123456789';
    const { IntegrationId } = await client.send(
      new CreateIntegrationCommand({
        ApiId,
        IntegrationType: 'HTTP_PROXY',
        IntegrationMethod: 'ANY',
        ConnectionType: 'VPC_LINK',
        ConnectionId: 'vpclink',
        IntegrationUri: serviceArn,
        PayloadFormatVersion: '1.0',
        RequestParameters: { 'overwrite:header.x-request-id': '$context.requestId' },
      }),
    );
    await client.send(
      new CreateRouteCommand({ ApiId, RouteKey: 'GET /pets', Target: `integrations/${IntegrationId}` }),
    );
    await client.send(
      new CreateRouteCommand({
        ApiId,
        RouteKey: 'POST /pets/{petId}',
        Target: `integrations/${IntegrationId}`,
        AuthorizationType: 'JWT',
        AuthorizerId,
        AuthorizationScopes: ['petstore/pets.write'],
      }),
    );
    await client.send(new CreateStageCommand({ ApiId, StageName: '$default', AutoDeploy: true }));

    const api = await loadHttpApi(client, ApiId as string);
    expect(api.routes).toHaveLength(2);
    expect(api.routes.find((route) => route.routeKey === 'POST /pets/{petId}')).toMatchObject({
      authorizationType: 'JWT',
      authorizerId: AuthorizerId,
      authorizationScopes: ['petstore/pets.write'],
    });
    expect(api.authorizers.get(AuthorizerId as string)).toMatchObject({
      issuer: 'https://cognito-idp.us-east-1.amazonaws.com/pool',
      audience: ['client'],
    });
    expect(api.integrations.get(IntegrationId as string)).toMatchObject({
      integrationType: 'HTTP_PROXY',
      connectionType: 'VPC_LINK',
      integrationUri: serviceArn,
      requestParameters: { 'overwrite:header.x-request-id': '$context.requestId' },
    });
    client.destroy();
  });

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
    const resolver = new CloudMapResolver(client, 5_000, () => now);
    expect(await resolver.endpoints(service.arn)).toEqual(
      expect.arrayContaining([
        { host: '127.0.0.1', port: 8080 },
        { host: '127.0.0.1', port: 8081 },
      ]),
    );
    await client.send(new DeregisterInstanceCommand({ ServiceId: service.id, InstanceId: 'task-2' }));
    // API Gateway's view of Cloud Map lags; so does the stand-in's, until the refresh.
    now = 4_999;
    expect(await resolver.endpoints(service.arn)).toHaveLength(2);
    now = 5_000;
    expect(await resolver.endpoints(service.arn)).toEqual([{ host: '127.0.0.1', port: 8080 }]);
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
