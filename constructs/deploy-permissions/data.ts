import type { DeployPermission, Scope } from './context';

/** The tables and this environment's Terraform state. */
export function dataPermissions(scope: Scope): DeployPermission[] {
  const { arn, prefix, context } = scope;
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
        ],
        Resource: arn('dynamodb', `table/${prefix}-*`),
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
