import { Cloudtrail } from '@cdktf/provider-aws/lib/cloudtrail';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';
import { policyDocument } from './iam';
import { LogBucket } from './log-bucket';
import { invalid, requireIntegerInRange } from './validation';

/** What `audit` turns on in an environment. */
export interface AuditConfig {
  /** Record every read and write of the tables' items (CloudTrail data events). */
  readonly dataEvents: boolean;
  /** Days the records are kept. @default 365 */
  readonly retentionDays?: number;
}

export interface AuditTrailProps {
  /** Prefix for names, e.g. `petstore-prod`: the trail is `<prefix>-data-events`. */
  readonly namePrefix: string;
  readonly region: string;
  /** The tables whose data events are recorded, and only those. */
  readonly tableArns: readonly string[];
  /**
   * Days the records are kept before the bucket deletes them: a year covers most audit requirements
   * (PCI DSS asks for one), where CloudTrail's own event history keeps 90 days of management events only.
   * @default 365
   */
  readonly retentionDays?: number;
}

/**
 * Who read or changed which item, and when: a CloudTrail trail of the tables' data events only (the
 * account's management events are CloudTrail's free event history, or an organization's trail), with
 * log file validation (a digest per hour proves a file was not altered), encrypted under a key of its
 * own, into a bucket of its own that keeps the records for the retention period.
 */
export class AuditTrail extends Construct {
  public readonly resource: Cloudtrail;
  public readonly bucket: LogBucket;
  public readonly key: KmsKey;
  public readonly trailArn: string;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const retentionDays = props.retentionDays ?? 365;
    requireIntegerInRange('retentionDays', retentionDays, 1, 3650);
    if (props.tableArns.length === 0)
      throw invalid('tableArns', [], 'expected the ARNs of the tables to audit');

    const accountId = new DataAwsCallerIdentity(this, 'Account').accountId;
    const partition = new DataAwsPartition(this, 'Partition').partition;
    const trailName = `${props.namePrefix}-data-events`;
    // Known before the trail exists, so the key and the bucket can admit this trail alone.
    const trailArn = `arn:${partition}:cloudtrail:${props.region}:${accountId}:trail/${trailName}`;
    const fromTrail = { StringEquals: { 'aws:SourceArn': trailArn } };

    this.key = new KmsKey(this, 'Key', {
      description: `${props.namePrefix}: the tables' audit records`,
      enableKeyRotation: true,
      // As the alarm topic's key: the policy keeps the account in charge, so no lockout.
      bypassPolicyLockoutSafetyCheck: true,
      policy: policyDocument([
        {
          Sid: 'AccountAdministers',
          Effect: 'Allow',
          Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
        {
          Sid: 'TrailEncrypts',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 'kms:GenerateDataKey*',
          Resource: '*',
          Condition: {
            ...fromTrail,
            StringLike: {
              'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${partition}:cloudtrail:*:${accountId}:trail/*`,
            },
          },
        },
        {
          Sid: 'TrailDescribesKey',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 'kms:DescribeKey',
          Resource: '*',
          Condition: fromTrail,
        },
      ]),
    });

    this.bucket = new LogBucket(this, 'Bucket', {
      // Bucket names are global: the account id and region make this one unique.
      bucketName: `${props.namePrefix}-audit-${accountId}-${props.region}`,
      accountId,
      kmsKeyArn: this.key.arn,
      expirationDays: retentionDays,
      deliveredBy: { service: 'cloudtrail.amazonaws.com', sourceArn: trailArn },
    });

    this.resource = new Cloudtrail(this, 'Trail', {
      name: trailName,
      s3BucketName: this.bucket.bucketName,
      kmsKeyId: this.key.arn,
      enableLogFileValidation: true,
      // Data events of this region's tables only; IAM and other global events are management events.
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: false,
      advancedEventSelector: [
        {
          name: 'Item reads and writes of the pet tables',
          fieldSelector: [
            { field: 'eventCategory', equalTo: ['Data'] },
            { field: 'resources.type', equalTo: ['AWS::DynamoDB::Table'] },
            { field: 'resources.ARN', equalTo: [...props.tableArns] },
          ],
        },
      ],
      // CloudTrail checks that it may write to the bucket when the trail is created.
      dependsOn: [this.bucket.policy],
    });
    this.trailArn = this.resource.arn;
  }
}
