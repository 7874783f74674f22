import type { DeployPermission, Scope } from './context';

/** The tables (and their replicas), their audit trail, and this environment's Terraform state. */
export function dataPermissions(scope: Scope): DeployPermission[] {
  const { arn, prefix, context, replicaRegions, audit, inRegion } = scope;
  const { partition, accountId } = context;
  const replicas = replicaRegions.length > 0;
  const auditBucket = `arn:${partition}:s3:::${prefix}-audit-*`;
  const permissions: (DeployPermission | false)[] = [
    {
      policy: 'data',
      neededBy: ['aws_dynamodb_table'],
      statement: {
        Sid: 'Tables',
        Effect: 'Allow',
        Action: [
          'dynamodb:CreateTable',
          'dynamodb:DeleteTable',
          'dynamodb:DescribeTable',
          'dynamodb:UpdateTable',
          'dynamodb:DescribeContinuousBackups',
          'dynamodb:UpdateContinuousBackups',
          'dynamodb:DescribeTimeToLive',
          'dynamodb:UpdateTimeToLive',
          'dynamodb:TagResource',
          'dynamodb:UntagResource',
          'dynamodb:ListTagsOfResource',
          // Adding and removing replicas is an UpdateTable of the table that these also authorize.
          ...(replicas ? ['dynamodb:CreateTableReplica', 'dynamodb:DeleteTableReplica'] : []),
        ],
        Resource: arn('dynamodb', `table/${prefix}-*`),
      },
    },
    replicas && {
      policy: 'data',
      neededBy: ['aws_dynamodb_table'],
      // In each replica region: the replica as DynamoDB creates it for the caller (its table and a
      // first copy of the items), its point-in-time recovery and tags, and its removal.
      statement: {
        Sid: 'TableReplicas',
        Effect: 'Allow',
        Action: [
          'dynamodb:CreateTable',
          'dynamodb:CreateTableReplica',
          'dynamodb:DeleteTable',
          'dynamodb:DeleteTableReplica',
          'dynamodb:DescribeTable',
          'dynamodb:UpdateTable',
          'dynamodb:DescribeContinuousBackups',
          'dynamodb:UpdateContinuousBackups',
          'dynamodb:DescribeTimeToLive',
          'dynamodb:TagResource',
          'dynamodb:UntagResource',
          'dynamodb:ListTagsOfResource',
          'dynamodb:Scan',
          'dynamodb:Query',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
        ],
        Resource: replicaRegions.map(
          (region) => `arn:${partition}:dynamodb:${region}:${accountId}:table/${prefix}-*`,
        ),
      },
    },
    audit && {
      policy: 'data',
      neededBy: ['aws_cloudtrail'],
      statement: {
        Sid: 'AuditTrail',
        Effect: 'Allow',
        Action: [
          'cloudtrail:CreateTrail',
          'cloudtrail:DeleteTrail',
          'cloudtrail:UpdateTrail',
          'cloudtrail:GetTrail',
          'cloudtrail:GetTrailStatus',
          'cloudtrail:StartLogging',
          'cloudtrail:StopLogging',
          'cloudtrail:PutEventSelectors',
          'cloudtrail:GetEventSelectors',
          'cloudtrail:GetInsightSelectors',
          'cloudtrail:AddTags',
          'cloudtrail:RemoveTags',
          'cloudtrail:ListTags',
        ],
        Resource: arn('cloudtrail', `trail/${prefix}-*`),
      },
    },
    audit && {
      policy: 'data',
      neededBy: ['aws_cloudtrail'],
      // DescribeTrails has no resource scope (it lists).
      statement: {
        Sid: 'ListTrails',
        Effect: 'Allow',
        Action: ['cloudtrail:DescribeTrails'],
        Resource: '*',
        Condition: inRegion,
      },
    },
    audit && {
      policy: 'data',
      neededBy: [
        'aws_s3_bucket',
        'aws_s3_bucket_versioning',
        'aws_s3_bucket_server_side_encryption_configuration',
        'aws_s3_bucket_public_access_block',
        'aws_s3_bucket_policy',
        'aws_s3_bucket_lifecycle_configuration',
      ],
      // The trail's bucket, by the name the stack gives it; what the provider reads of any bucket.
      statement: {
        Sid: 'AuditBucket',
        Effect: 'Allow',
        Action: [
          's3:CreateBucket',
          's3:DeleteBucket',
          's3:ListBucket',
          's3:GetBucketAcl',
          's3:GetBucketCORS',
          's3:GetBucketWebsite',
          's3:GetBucketVersioning',
          's3:GetBucketRequestPayment',
          's3:GetBucketLogging',
          's3:GetBucketObjectLockConfiguration',
          's3:GetBucketTagging',
          's3:GetBucketPolicy',
          's3:GetBucketPublicAccessBlock',
          's3:GetAccelerateConfiguration',
          's3:GetLifecycleConfiguration',
          's3:GetReplicationConfiguration',
          's3:GetEncryptionConfiguration',
          's3:PutBucketTagging',
          's3:PutBucketVersioning',
          's3:PutEncryptionConfiguration',
          's3:PutBucketPublicAccessBlock',
          's3:PutBucketPolicy',
          's3:DeleteBucketPolicy',
          's3:PutLifecycleConfiguration',
        ],
        Resource: auditBucket,
      },
    },
    {
      policy: 'data',
      neededBy: ['tool:terraform-state'],
      statement: {
        Sid: 'StateBucket',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: context.stateBucketArn,
      },
    },
    {
      policy: 'data',
      neededBy: ['tool:terraform-state'],
      // This environment's state and its lock file (`<key>.tflock`), and no other stack's.
      statement: {
        Sid: 'StateObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        // Key of each stack's state: `petstore/<stack>/terraform.tfstate` (see state-backend.ts).
        Resource: `${context.stateBucketArn}/petstore/${prefix}/*`,
      },
    },
  ];
  return permissions.filter((permission): permission is DeployPermission => permission !== false);
}
