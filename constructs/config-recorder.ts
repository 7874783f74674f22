import { ConfigConfigRule } from '@cdktf/provider-aws/lib/config-config-rule';
import { ConfigConfigurationRecorder } from '@cdktf/provider-aws/lib/config-configuration-recorder';
import { ConfigConfigurationRecorderStatus } from '@cdktf/provider-aws/lib/config-configuration-recorder-status';
import { ConfigDeliveryChannel } from '@cdktf/provider-aws/lib/config-delivery-channel';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { assumedBy } from './iam';
import { LogBucket } from './log-bucket';

/** What `awsConfig` turns on in the bootstrap stack. */
export interface AwsConfigSettings {
  /** Record the stacks' resources with AWS Config and check them with managed rules. @default false */
  readonly enabled: boolean;
}

export interface ConfigRecorderProps {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  /** The pets tables (by name) that must keep point-in-time recovery; the idempotency tables have none by design. */
  readonly pointInTimeRecoveryTables: readonly string[];
}

/** A managed rule: its identifier, what it checks of these stacks, and its parameters. */
interface ManagedRule {
  readonly identifier: string;
  readonly description: string;
  readonly parameters?: Record<string, string>;
  /** Evaluated on a schedule: Config ignores a scope there, so the rule sees the whole account. */
  readonly periodic?: boolean;
}

/**
 * The managed rules that check what the stacks promise. An HTTP API has no execution logging (AWS's
 * API_GW_EXECUTION_LOGGING_ENABLED is for REST and WebSocket stages): its access logs are what it has.
 * Log groups are encrypted with CloudWatch's own key, not a KMS key of ours, so the retention rule
 * rather than CLOUDWATCH_LOG_GROUP_ENCRYPTED.
 */
export const MANAGED_RULES: readonly ManagedRule[] = [
  { identifier: 'DYNAMODB_TABLE_ENCRYPTED_KMS', description: 'Tables are encrypted under KMS' },
  { identifier: 'ECS_TASK_DEFINITION_NONROOT_USER', description: 'Containers run as a non-root user' },
  {
    identifier: 'ECS_CONTAINERS_READONLY_ACCESS',
    description: 'Containers have a read-only root filesystem',
  },
  { identifier: 'API_GWV2_ACCESS_LOGS_ENABLED', description: 'HTTP API stages write access logs' },
  { identifier: 'VPC_DEFAULT_SECURITY_GROUP_CLOSED', description: 'Default security groups admit nothing' },
  { identifier: 'S3_BUCKET_SSL_REQUESTS_ONLY', description: 'Buckets refuse requests without TLS' },
  { identifier: 'ECR_PRIVATE_TAG_IMMUTABILITY_ENABLED', description: 'Image tags are immutable' },
  {
    identifier: 'ECR_PRIVATE_IMAGE_SCANNING_ENABLED',
    description: 'Repositories scan images on push',
    periodic: true,
  },
  {
    identifier: 'CW_LOGGROUP_RETENTION_PERIOD_CHECK',
    description: 'Log groups keep at least 30 days (the shortest retention the stacks set)',
    parameters: { MinRetentionTime: '30' },
    periodic: true,
  },
  {
    identifier: 'VPC_FLOW_LOGS_ENABLED',
    description: 'VPCs have flow logs (dev has none, to save their cost: it reports NON_COMPLIANT)',
    periodic: true,
  },
];

/** What the recorder records: the resource types the change-triggered rules evaluate. */
export const RECORDED_RESOURCE_TYPES = [
  'AWS::DynamoDB::Table',
  'AWS::ECS::TaskDefinition',
  'AWS::ApiGatewayV2::Stage',
  'AWS::EC2::SecurityGroup',
  'AWS::S3::Bucket',
  'AWS::ECR::Repository',
] as const;

/** The tag every resource of the stacks carries (the providers' default tags). */
const PROJECT_TAG = { tagKey: 'Project', tagValue: 'petstore' };

/**
 * AWS Config in one region of the account: a recorder of the resource types the rules evaluate, its
 * role (AWS's managed `AWS_ConfigRole`, and delivery to its bucket only), a delivery channel to a
 * private bucket, the recorder turned on, and the managed rules above, scoped to this project's
 * resources where Config allows a scope. An account or region has one recorder: where an organization
 * already records (Control Tower), leave this off.
 */
export class ConfigRecorder extends Construct {
  public readonly recorder: ConfigConfigurationRecorder;
  public readonly role: IamRole;
  public readonly bucket: LogBucket;
  public readonly rules: ConfigConfigRule[];

  constructor(scope: Construct, id: string, props: ConfigRecorderProps) {
    super(scope, id);
    this.bucket = new LogBucket(this, 'Bucket', {
      bucketName: `petstore-config-${props.accountId}-${props.region}`,
      accountId: props.accountId,
      // Config keeps its own history (seven years by default); the files here are its copies.
      expirationDays: 365,
    });
    this.role = new IamRole(this, 'Role', {
      name: 'petstore-aws-config',
      description: 'AWS Config reads resource configurations and delivers them to its bucket',
      assumeRolePolicy: assumedBy('config.amazonaws.com', {
        StringEquals: { 'aws:SourceAccount': props.accountId },
      }),
    });
    new IamRolePolicyAttachment(this, 'ManagedPolicy', {
      role: this.role.name,
      policyArn: `arn:${props.partition}:iam::aws:policy/service-role/AWS_ConfigRole`,
    });
    const delivery = this.bucket.grantDelivery(this.role);

    this.recorder = new ConfigConfigurationRecorder(this, 'Recorder', {
      name: 'petstore',
      roleArn: this.role.arn,
      recordingGroup: { allSupported: false, resourceTypes: [...RECORDED_RESOURCE_TYPES] },
    });
    // Config writes a test object when the channel is created: the role's grant must be in place.
    const channel = new ConfigDeliveryChannel(this, 'DeliveryChannel', {
      name: 'petstore',
      s3BucketName: this.bucket.bucketName,
      dependsOn: [this.recorder, delivery, this.bucket.policy],
    });
    new ConfigConfigurationRecorderStatus(this, 'RecorderStatus', {
      name: this.recorder.name,
      isEnabled: true,
      dependsOn: [channel],
    });

    const managed = MANAGED_RULES.map(
      (rule) =>
        new ConfigConfigRule(this, `Rule${ruleId(rule.identifier)}`, {
          name: `petstore-${rule.identifier.toLowerCase().replaceAll('_', '-')}`,
          description: rule.description,
          source: { owner: 'AWS', sourceIdentifier: rule.identifier },
          inputParameters: rule.parameters && JSON.stringify(rule.parameters),
          scope: rule.periodic ? undefined : PROJECT_TAG,
          dependsOn: [this.recorder],
        }),
    );
    // One rule per pets table: an idempotency table has no point-in-time recovery, by design.
    const pointInTimeRecovery = props.pointInTimeRecoveryTables.map(
      (table) =>
        new ConfigConfigRule(this, `RulePitr${ruleId(table)}`, {
          name: `${table}-pitr-enabled`,
          description: `${table} keeps point-in-time recovery`,
          source: { owner: 'AWS', sourceIdentifier: 'DYNAMODB_PITR_ENABLED' },
          scope: { complianceResourceTypes: ['AWS::DynamoDB::Table'], complianceResourceId: table },
          dependsOn: [this.recorder],
        }),
    );
    this.rules = [...managed, ...pointInTimeRecovery];
  }
}

/** `DYNAMODB_PITR_ENABLED` / `petstore-dev-pets` → `DynamodbPitrEnabled` / `PetstoreDevPets`: a construct id. */
function ruleId(name: string): string {
  return name
    .toLowerCase()
    .split(/[_-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
