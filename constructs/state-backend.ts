import { S3Backend, type TerraformStack } from 'cdktf';

export interface RemoteStateSettings {
  /** S3 bucket holding every stack's state (versioned, encrypted, public access blocked: see README). */
  readonly bucket: string;
  /** Region of the bucket. @default - the stack's own region */
  readonly region?: string;
}

/**
 * Stores the stack's state in S3 under a key of its own, encrypted, locked with Terraform's native S3
 * lock file. DynamoDB-table locking is deprecated since Terraform 1.11, and cdktf 0.21's `S3Backend`
 * has no typed `use_lockfile` option yet, hence the override.
 */
export function useRemoteState(
  stack: TerraformStack,
  stackName: string,
  stackRegion: string,
  settings: RemoteStateSettings,
): S3Backend {
  const backend = new S3Backend(stack, {
    bucket: settings.bucket,
    key: `petstore/${stackName}/terraform.tfstate`,
    region: settings.region ?? stackRegion,
    encrypt: true,
  });
  backend.addOverride('use_lockfile', true);
  return backend;
}
