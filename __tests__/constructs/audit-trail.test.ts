import { AuditTrail } from '../../constructs/audit-trail';
import { PetTable } from '../../constructs/pet-table';
import { onlyResource, ref, synthScope, type TerraformBlock } from './support';

function synthAudit(retentionDays?: number) {
  let trail: AuditTrail | undefined;
  let table: PetTable | undefined;
  const synthesized = synthScope((scope) => {
    table = new PetTable(scope, 'PetTable', { tableName: 'test-pets' });
    trail = new AuditTrail(scope, 'AuditTrail', {
      namePrefix: 'test',
      region: 'eu-west-1',
      tableArns: table.tableArns,
      retentionDays,
    });
  });
  return { synthesized, trail: trail as AuditTrail, table: table as PetTable };
}

const TRAIL_ARN =
  /^arn:\$\{data\.aws_partition\.\w+\.partition\}:cloudtrail:eu-west-1:\$\{data\.aws_caller_identity\.\w+\.account_id\}:trail\/test-data-events$/;

describe('AuditTrail', () => {
  const { synthesized, trail, table } = synthAudit();
  const cloudtrail = onlyResource(synthesized, 'aws_cloudtrail');
  const bucketArn = ref(trail.bucket.resource, 'arn');
  const statements = (json: string) => JSON.parse(json).Statement as TerraformBlock[];

  test("records the data events of exactly the two tables' ARNs, and nothing else", () => {
    expect(cloudtrail.advanced_event_selector).toEqual([
      {
        name: 'Item reads and writes of the pet tables',
        field_selector: [
          { field: 'eventCategory', equals: ['Data'] },
          { field: 'resources.type', equals: ['AWS::DynamoDB::Table'] },
          {
            field: 'resources.ARN',
            equals: [ref(table.resource, 'arn'), ref(table.idempotencyTable, 'arn')],
          },
        ],
      },
    ]);
    expect(cloudtrail.event_selector).toBeUndefined();
  });

  test('validates its log files and encrypts them under its own key, into its own bucket', () => {
    expect(cloudtrail).toMatchObject({
      name: 'test-data-events',
      enable_log_file_validation: true,
      is_multi_region_trail: false,
      kms_key_id: ref(trail.key, 'arn'),
      s3_bucket_name: ref(trail.bucket.resource, 'bucket'),
    });
    expect(cloudtrail.depends_on).toEqual([`aws_s3_bucket_policy.${trail.bucket.policy.friendlyUniqueId}`]);
    expect(onlyResource(synthesized, 'aws_kms_key').enable_key_rotation).toBe(true);
  });

  test('the key lets CloudTrail encrypt for this trail only, and the account administer it', () => {
    const policy = statements(onlyResource(synthesized, 'aws_kms_key').policy);
    expect(policy.map((statement) => statement.Sid)).toEqual([
      'AccountAdministers',
      'TrailEncrypts',
      'TrailDescribesKey',
    ]);
    for (const statement of policy.slice(1)) {
      expect(statement.Principal).toEqual({ Service: 'cloudtrail.amazonaws.com' });
      expect(statement.Condition.StringEquals['aws:SourceArn']).toMatch(TRAIL_ARN);
    }
    expect(policy[1]?.Action).toBe('kms:GenerateDataKey*');
  });

  test('the bucket is versioned, encrypted under the trail key, closed to the public', () => {
    expect(onlyResource(synthesized, 'aws_s3_bucket_versioning').versioning_configuration).toEqual({
      status: 'Enabled',
    });
    expect(onlyResource(synthesized, 'aws_s3_bucket_server_side_encryption_configuration').rule).toEqual([
      {
        apply_server_side_encryption_by_default: {
          sse_algorithm: 'aws:kms',
          kms_master_key_id: ref(trail.key, 'arn'),
        },
        bucket_key_enabled: true,
      },
    ]);
    expect(onlyResource(synthesized, 'aws_s3_bucket_public_access_block')).toMatchObject({
      block_public_acls: true,
      ignore_public_acls: true,
      block_public_policy: true,
      restrict_public_buckets: true,
    });
    expect(onlyResource(synthesized, 'aws_s3_bucket').force_destroy).toBeUndefined();
  });

  test('the bucket denies requests without TLS and admits writes from this trail only', () => {
    const [denyPlain, acl, write, ...others] = statements(
      onlyResource(synthesized, 'aws_s3_bucket_policy').policy,
    );
    expect(others).toEqual([]);
    expect(denyPlain).toEqual({
      Sid: 'DenyPlainHttp',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(acl).toMatchObject({ Action: 's3:GetBucketAcl', Resource: bucketArn });
    expect(write).toMatchObject({
      Action: 's3:PutObject',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
    });
    expect(write?.Resource).toMatch(
      /^\$\{aws_s3_bucket\.\w+\.arn\}\/AWSLogs\/\$\{data\.aws_caller_identity\.\w+\.account_id\}\/\*$/,
    );
    expect(write?.Condition.StringEquals['s3:x-amz-acl']).toBe('bucket-owner-full-control');
    for (const statement of [acl, write])
      expect(statement?.Condition.StringEquals['aws:SourceArn']).toMatch(TRAIL_ARN);
  });

  test('expires records, and versions no longer current, after 365 days by default or the days given', () => {
    const rule = (json: string) => onlyResource(json, 'aws_s3_bucket_lifecycle_configuration').rule[0];
    expect(rule(synthesized)).toMatchObject({
      status: 'Enabled',
      expiration: [{ days: 365 }],
      noncurrent_version_expiration: [{ noncurrent_days: 365 }],
    });
    expect(rule(synthAudit(90).synthesized)).toMatchObject({
      expiration: [{ days: 90 }],
      noncurrent_version_expiration: [{ noncurrent_days: 90 }],
    });
  });

  test('refuses a retention outside 1 to 3650 days', () => {
    expect(() => synthAudit(0)).toThrow('`retentionDays` is 0; expected an integer from 1 to 3650.');
    expect(() => synthAudit(1.5)).toThrow('`retentionDays` is 1.5; expected an integer from 1 to 3650.');
  });
});
