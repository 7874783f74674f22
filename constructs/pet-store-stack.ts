import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AuditTrail } from './audit-trail';
import {
  atConfigPath,
  DEFAULT_CONTAINER_PORT,
  type EnvironmentConfig,
  petsTableName,
  stackName,
} from './config';
import { PetFargateService } from './fargate-service';
import { PetHttpApi } from './http-api';
import { imageRepositoryName, ServiceImage } from './image-repository';
import { Monitoring } from './monitoring';
import { Network } from './network';
import { PetTable } from './pet-table';
import { ServiceSecurityGroups } from './security-groups';
import { ServiceDiscovery } from './service-discovery';
import { type RemoteStateSettings, useRemoteState } from './state-backend';
import { UserAuth } from './user-auth';

export interface PetStoreStackProps {
  readonly environment: EnvironmentConfig;
  /** Tag of the image the service runs, in the environment's repository (the bootstrap stack's): the commit SHA in CI. */
  readonly imageTag: string;
  /** Keep state in S3. @default - a local state file */
  readonly remoteState?: RemoteStateSettings;
}

/** One environment of the pet store: everything from the VPC to the API, with its outputs. */
export class PetStoreStack extends TerraformStack {
  public readonly network: Network;
  public readonly table: PetTable;
  public readonly image: ServiceImage;
  public readonly serviceDiscovery: ServiceDiscovery;
  public readonly securityGroups: ServiceSecurityGroups;
  public readonly service: PetFargateService;
  public readonly auth: UserAuth;
  public readonly api: PetHttpApi;
  public readonly monitoring: Monitoring;
  /** The tables' data-event trail, where `audit.dataEvents` is on. */
  public readonly auditTrail?: AuditTrail;

  constructor(scope: Construct, id: string, props: PetStoreStackProps) {
    super(scope, id);
    const { environment } = props;
    const { region } = environment;
    const namePrefix = stackName(environment);
    // Given once: the service listens on it and its security group admits the VPC link on it.
    const containerPort = environment.service?.containerPort ?? DEFAULT_CONTAINER_PORT;
    const at = (section: string) => `environments.${environment.name}.${section}`;

    if (props.remoteState) useRemoteState(this, id, region, props.remoteState);
    new AwsProvider(this, 'Aws', {
      region,
      defaultTags: [{ tags: { Project: 'petstore', Environment: environment.name, ManagedBy: 'cdktf' } }],
    });

    this.network = atConfigPath(
      at('network'),
      () => new Network(this, 'Network', { namePrefix, region, ...environment.network }),
    );
    this.table = atConfigPath(
      at('table'),
      () =>
        new PetTable(this, 'PetTable', {
          tableName: petsTableName(environment),
          region,
          deletionProtection: environment.table?.deletionProtection,
          replicaRegions: environment.table?.replicaRegions,
        }),
    );
    const { dataEvents, retentionDays } = environment.audit ?? {};
    this.auditTrail = dataEvents
      ? atConfigPath(
          at('audit'),
          () =>
            new AuditTrail(this, 'AuditTrail', {
              namePrefix,
              region,
              tableArns: this.table.tableArns,
              retentionDays,
            }),
        )
      : undefined;
    this.image = new ServiceImage(this, 'Image', {
      repositoryName: imageRepositoryName(environment.name),
      imageTag: props.imageTag,
    });
    this.serviceDiscovery = new ServiceDiscovery(this, 'ServiceDiscovery', {
      network: this.network,
      namespaceName: `${environment.name}.petstore.local`,
    });
    this.securityGroups = atConfigPath(
      at('service'),
      () =>
        new ServiceSecurityGroups(this, 'SecurityGroups', {
          network: this.network,
          namePrefix,
          containerPort,
        }),
    );
    this.service = atConfigPath(
      at('service'),
      () =>
        new PetFargateService(this, 'PetService', {
          namePrefix,
          region,
          network: this.network,
          table: this.table,
          serviceDiscovery: this.serviceDiscovery,
          securityGroup: this.securityGroups.tasks,
          image: this.image,
          ...environment.service,
          containerPort,
        }),
    );
    this.auth = atConfigPath(
      at('auth'),
      () => new UserAuth(this, 'Auth', { namePrefix, region, ...environment.auth }),
    );
    this.api = atConfigPath(
      at('api'),
      () =>
        new PetHttpApi(this, 'HttpApi', {
          namePrefix,
          network: this.network,
          serviceDiscovery: this.serviceDiscovery,
          auth: this.auth,
          vpcLinkSecurityGroup: this.securityGroups.vpcLink,
          ...environment.api,
        }),
    );
    this.monitoring = atConfigPath(
      at('monitoring'),
      () =>
        new Monitoring(this, 'Monitoring', {
          namePrefix,
          region,
          api: this.api,
          service: this.service,
          table: this.table,
          ...environment.monitoring,
        }),
    );

    const outputs: Record<string, { value: string; description: string }> = {
      api_endpoint: { value: this.api.endpoint, description: 'Base URL of the HTTP API' },
      pets_url: { value: `${this.api.endpoint}/petstore/pets`, description: 'The pets collection' },
      user_pool_id: { value: this.auth.userPoolId, description: 'Cognito user pool that issues API tokens' },
      user_pool_client_id: { value: this.auth.clientId, description: 'Public app client id (SRP sign-in)' },
      smoke_test_client_id: {
        value: this.auth.smokeTestClientId,
        description: 'App client of the smoke test: admin sign-in, deploy role only',
      },
      table_name: { value: this.table.tableName, description: 'DynamoDB table of pets' },
      cluster_name: { value: this.service.clusterName, description: 'ECS cluster' },
      service_name: { value: this.service.serviceName, description: 'ECS service' },
      image: { value: this.image.imageUri, description: 'The image the service runs' },
      service_log_group_name: { value: this.service.logGroup.name, description: 'Service logs' },
      api_log_group_name: { value: this.api.accessLogGroup.name, description: 'API access logs' },
      alarm_topic_arn: {
        value: this.monitoring.alarmTopic.arn,
        description: 'SNS topic of every alarm: subscribe to it',
      },
      dashboard_name: { value: this.monitoring.dashboard.dashboardName, description: 'CloudWatch dashboard' },
      region: { value: region, description: 'AWS region of this stack' },
    };
    if (this.api.customDomain) {
      outputs.execute_api_endpoint = {
        value: this.api.resource.apiEndpoint,
        description:
          "The API's own address, turned off by the custom domain: the smoke test checks it refuses",
      };
    }
    for (const [name, output] of Object.entries(outputs)) new TerraformOutput(this, name, output);
  }
}
