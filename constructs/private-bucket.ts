import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import type { Construct } from 'constructs';
import type { IamStatement } from './iam';

/**
 * What every bucket of these stacks is: versioned (a deleted or overwritten object can be recovered),
 * KMS-encrypted with a bucket key (fewer KMS calls), closed to the public. Made in `scope`, the bucket's
 * construct, so each keeps its resources' ids. Returns the public access block: S3 applies one bucket
 * configuration at a time, so the bucket policy goes after it.
 */
export function makePrivate(
  scope: Construct,
  bucket: S3Bucket,
  kmsKeyArn?: string,
): S3BucketPublicAccessBlock {
  new S3BucketVersioningA(scope, 'Versioning', {
    bucket: bucket.id,
    versioningConfiguration: { status: 'Enabled' },
  });
  new S3BucketServerSideEncryptionConfigurationA(scope, 'Encryption', {
    bucket: bucket.id,
    rule: [
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: kmsKeyArn },
        bucketKeyEnabled: true,
      },
    ],
  });
  return new S3BucketPublicAccessBlock(scope, 'PublicAccessBlock', {
    bucket: bucket.id,
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: true,
    restrictPublicBuckets: true,
  });
}

/** The bucket policy statement that refuses every request not made over TLS. */
export function denyPlainHttp(bucketArn: string): IamStatement {
  return {
    Sid: 'DenyPlainHttp',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}
