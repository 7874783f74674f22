import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { Construct } from 'constructs';
import { policyDocument } from './iam';
import { denyPlainHttp, makePrivate } from './private-bucket';

export interface StateBucketProps {
  /** Globally unique bucket name, e.g. `petstore-terraform-state-123456789012-us-east-1`. */
  readonly bucketName: string;
}

/**
 * The S3 bucket every stack keeps its Terraform state in (see `useRemoteState`): versioned, so a bad
 * apply's state can be rolled back; encrypted; closed to the public; reachable over TLS only. No
 * `force_destroy`: S3 refuses to delete a bucket that still holds state, which is the protection wanted.
 */
export class StateBucket extends Construct {
  public readonly resource: S3Bucket;
  public readonly bucketName: string;
  public readonly bucketArn: string;

  constructor(scope: Construct, id: string, props: StateBucketProps) {
    super(scope, id);
    this.resource = new S3Bucket(this, 'Bucket', { bucket: props.bucketName });
    this.bucketName = this.resource.bucket;
    this.bucketArn = this.resource.arn;

    // The AWS managed key (aws/s3): no key policy to keep, and S3 uses it for every principal of the
    // account that may read the object, so the roles need no KMS permissions.
    const publicAccessBlock = makePrivate(this, this.resource);
    new S3BucketPolicy(this, 'TlsOnly', {
      bucket: this.resource.id,
      policy: policyDocument([denyPlainHttp(this.resource.arn)]),
      dependsOn: [publicAccessBlock],
    });
  }
}
