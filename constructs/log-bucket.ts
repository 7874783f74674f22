import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { Construct } from 'constructs';
import { grant, type IamStatement, policyDocument } from './iam';
import { denyPlainHttp, makePrivate } from './private-bucket';
import { requireIntegerInRange } from './validation';

/** An AWS service that writes to the bucket under its own principal, as CloudTrail does. */
export interface ServiceDelivery {
  /** The service principal, e.g. `cloudtrail.amazonaws.com`. */
  readonly service: string;
  /** The one resource of that service allowed to write (`aws:SourceArn`), e.g. a trail's ARN. */
  readonly sourceArn: string;
}

export interface LogBucketProps {
  /** Globally unique bucket name. */
  readonly bucketName: string;
  /** The account whose logs it holds: services write under `AWSLogs/<accountId>/`. */
  readonly accountId: string;
  /** The key objects are encrypted under by default. @default - the AWS managed key aws/s3 */
  readonly kmsKeyArn?: string;
  /** Days after which an object is deleted, and a version that is no longer current too. @default - kept */
  readonly expirationDays?: number;
  /** A service that delivers here under its own principal. @default - none; a role may be granted with `grantDelivery` */
  readonly deliveredBy?: ServiceDelivery;
}

/**
 * A bucket that an AWS service delivers logs or records to: versioned (a deleted or overwritten object
 * can be recovered), encrypted, closed to the public, reachable over TLS only, and, with an expiration,
 * emptied of what is older. No `force_destroy`: a destroy stops at a bucket that still holds records.
 */
export class LogBucket extends Construct {
  public readonly resource: S3Bucket;
  public readonly bucketName: string;
  public readonly bucketArn: string;
  /** The bucket policy: the services that deliver must find it in place before they are set up. */
  public readonly policy: S3BucketPolicy;
  private readonly logsArn: string;

  constructor(scope: Construct, id: string, props: LogBucketProps) {
    super(scope, id);
    if (props.expirationDays !== undefined)
      requireIntegerInRange('expirationDays', props.expirationDays, 1, 3650);
    this.resource = new S3Bucket(this, 'Bucket', { bucket: props.bucketName });
    this.bucketName = this.resource.bucket;
    this.bucketArn = this.resource.arn;
    this.logsArn = `${this.bucketArn}/AWSLogs/${props.accountId}/*`;

    const publicAccessBlock = makePrivate(this, this.resource, props.kmsKeyArn);
    if (props.expirationDays !== undefined) {
      new S3BucketLifecycleConfiguration(this, 'Expiration', {
        bucket: this.resource.id,
        rule: [
          {
            id: 'expire',
            status: 'Enabled',
            filter: [{ prefix: '' }],
            expiration: [{ days: props.expirationDays }],
            // A deleted or overwritten record stays recoverable for as long as a current one is kept.
            noncurrentVersionExpiration: [{ noncurrentDays: props.expirationDays }],
          },
        ],
      });
    }
    const delivery = props.deliveredBy;
    const fromSource = delivery && { StringEquals: { 'aws:SourceArn': delivery.sourceArn } };
    this.policy = new S3BucketPolicy(this, 'Policy', {
      bucket: this.resource.id,
      policy: policyDocument([
        denyPlainHttp(this.bucketArn),
        ...(delivery && fromSource
          ? ([
              {
                Sid: 'DeliveryChecksAcl',
                Effect: 'Allow',
                Principal: { Service: delivery.service },
                Action: 's3:GetBucketAcl',
                Resource: this.bucketArn,
                Condition: fromSource,
              },
              {
                Sid: 'DeliveryWrites',
                Effect: 'Allow',
                Principal: { Service: delivery.service },
                Action: 's3:PutObject',
                Resource: this.logsArn,
                Condition: {
                  StringEquals: { ...fromSource.StringEquals, 's3:x-amz-acl': 'bucket-owner-full-control' },
                },
              },
            ] satisfies IamStatement[])
          : []),
      ]),
      dependsOn: [publicAccessBlock],
    });
  }

  /** Lets `role` deliver as AWS services do: read the bucket's ACL, write under `AWSLogs/<account>/`. */
  grantDelivery(role: IamRole): IamRolePolicy {
    return grant(role, 'Delivery', 'log-delivery', [
      { Effect: 'Allow', Action: 's3:GetBucketAcl', Resource: this.bucketArn },
      {
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: this.logsArn,
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
      },
    ]);
  }
}
