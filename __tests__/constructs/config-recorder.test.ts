import { Testing } from 'cdktf';
import { BOOTSTRAP_STACK_NAME, PetStoreBootstrapStack } from '../../constructs/bootstrap-stack';
import type { BootstrapConfig } from '../../constructs/config';
import { MANAGED_RULES, RECORDED_RESOURCE_TYPES } from '../../constructs/config-recorder';
import { ENVIRONMENTS } from '../../environments';
import { onlyResource, ref, resourcesOf, type TerraformBlock } from './support';

const CONFIG: BootstrapConfig = {
  region: 'us-east-1',
  github: { owner: 'acme', name: 'petstore' },
  environments: ['dev', 'prod'],
};

function synthBootstrap(bootstrap: BootstrapConfig) {
  const stack = new PetStoreBootstrapStack(Testing.app(), BOOTSTRAP_STACK_NAME, {
    bootstrap,
    environments: [
      ...ENVIRONMENTS,
      { name: 'eu', region: 'eu-west-1', network: { availabilityZoneIds: ['euw1-az1'] } },
    ],
  });
  return { stack, synthesized: Testing.synth(stack) };
}

describe('ConfigRecorder (bootstrap awsConfig)', () => {
  const { stack, synthesized } = synthBootstrap({ ...CONFIG, awsConfig: { enabled: true } });
  const config = stack.configRecorder;
  if (!config) throw new Error('awsConfig.enabled made no recorder');
  const role = ref(config.role, 'arn');

  test('is off by default: no Config resource, no second bucket', () => {
    const off = synthBootstrap(CONFIG).synthesized;
    for (const type of [
      'aws_config_configuration_recorder',
      'aws_config_config_rule',
      'aws_config_delivery_channel',
    ])
      expect(resourcesOf(off, type)).toEqual([]);
    expect(resourcesOf(off, 'aws_s3_bucket')).toHaveLength(1);
  });

  test('records the resource types the rules evaluate, with its own role under AWS_ConfigRole', () => {
    expect(onlyResource(synthesized, 'aws_config_configuration_recorder')).toEqual({
      name: 'petstore',
      role_arn: role,
      recording_group: { all_supported: false, resource_types: [...RECORDED_RESOURCE_TYPES] },
    });
    const trust = JSON.parse(
      resourcesOf(synthesized, 'aws_iam_role').find((r) => r.name === 'petstore-aws-config')
        ?.assume_role_policy,
    );
    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'config.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': expect.stringMatching(/^\$\{data\.aws_caller_identity\./) },
        },
      },
    ]);
    const attachments = resourcesOf(synthesized, 'aws_iam_role_policy_attachment').filter(
      (attachment) => attachment.role === ref(config.role, 'name'),
    );
    expect(attachments.map((attachment) => attachment.policy_arn)).toEqual([
      expect.stringMatching(
        /^arn:\$\{data\.aws_partition\.\w+\.partition\}:iam::aws:policy\/service-role\/AWS_ConfigRole$/,
      ),
    ]);
  });

  test('delivers to a private, encrypted, TLS-only bucket that only its role writes to', () => {
    const bucketArn = ref(config.bucket.resource, 'arn');
    expect(onlyResource(synthesized, 'aws_config_delivery_channel').s3_bucket_name).toBe(
      ref(config.bucket.resource, 'bucket'),
    );
    const policies = resourcesOf(synthesized, 'aws_s3_bucket_policy').filter(
      (policy) => policy.bucket === ref(config.bucket.resource, 'id'),
    );
    expect(JSON.parse(policies[0]?.policy).Statement).toEqual([
      {
        Sid: 'DenyPlainHttp',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
    const grant = resourcesOf(synthesized, 'aws_iam_role_policy').find(
      (policy) => policy.role === ref(config.role, 'id'),
    );
    const [acl, write] = JSON.parse(grant?.policy).Statement as TerraformBlock[];
    expect(acl).toEqual({ Effect: 'Allow', Action: 's3:GetBucketAcl', Resource: bucketArn });
    expect(write?.Resource).toMatch(new RegExp(`^${bucketArn.replace(/[${}.]/g, '\\$&')}/AWSLogs/`));
    const encryption = resourcesOf(synthesized, 'aws_s3_bucket_server_side_encryption_configuration').filter(
      (each) => each.bucket === ref(config.bucket.resource, 'id'),
    );
    expect(encryption[0]?.rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe('aws:kms');
    const block = resourcesOf(synthesized, 'aws_s3_bucket_public_access_block').filter(
      (each) => each.bucket === ref(config.bucket.resource, 'id'),
    );
    expect(block[0]).toMatchObject({ block_public_acls: true, restrict_public_buckets: true });
  });

  test('turns the recorder on once its delivery channel exists', () => {
    const status = onlyResource(synthesized, 'aws_config_configuration_recorder_status');
    expect(status.is_enabled).toBe(true);
    expect(status.name).toBe(ref(config.recorder, 'name'));
    expect(status.depends_on).toEqual([expect.stringMatching(/^aws_config_delivery_channel\./)]);
  });

  test('checks what the stacks promise with managed rules, scoped to the project where Config allows', () => {
    const rules = resourcesOf(synthesized, 'aws_config_config_rule');
    const byIdentifier = (identifier: string) =>
      rules.filter((rule) => rule.source.source_identifier === identifier);
    for (const rule of MANAGED_RULES) {
      const [found, ...others] = byIdentifier(rule.identifier);
      expect(others).toEqual([]);
      expect(found?.source.owner).toBe('AWS');
      expect(found?.scope).toEqual(rule.periodic ? undefined : { tag_key: 'Project', tag_value: 'petstore' });
      expect(found?.depends_on).toEqual([expect.stringMatching(/^aws_config_configuration_recorder\./)]);
    }
    expect(JSON.parse(byIdentifier('CW_LOGGROUP_RETENTION_PERIOD_CHECK')[0]?.input_parameters)).toEqual({
      MinRetentionTime: '30',
    });
    for (const identifier of [
      'ECS_TASK_DEFINITION_NONROOT_USER',
      'ECS_CONTAINERS_READONLY_ACCESS',
      'VPC_FLOW_LOGS_ENABLED',
      'API_GWV2_ACCESS_LOGS_ENABLED',
    ])
      expect(byIdentifier(identifier)).toHaveLength(1);
  });

  test('checks point-in-time recovery on each pets table of the bootstrap region, not the idempotency tables', () => {
    const pitr = resourcesOf(synthesized, 'aws_config_config_rule').filter(
      (rule) => rule.source.source_identifier === 'DYNAMODB_PITR_ENABLED',
    );
    expect(pitr.map((rule) => rule.scope)).toEqual([
      { compliance_resource_types: ['AWS::DynamoDB::Table'], compliance_resource_id: 'petstore-dev-pets' },
      { compliance_resource_types: ['AWS::DynamoDB::Table'], compliance_resource_id: 'petstore-prod-pets' },
    ]);
  });
});
