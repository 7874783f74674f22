import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { grant } from './iam';

/**
 * The DynamoDB calls the pet service makes (app/pets/repository.ts, app/idempotency.ts): what reading
 * and writing the tables' data takes, and all a grant allows.
 */
export const PET_TABLE_DATA_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Scan',
] as const;

export interface PetTableProps {
  /** Table name, unique per account and region, e.g. `petstore-dev-pets`. */
  readonly tableName: string;
  /** Refuse `DeleteTable` (and so `terraform destroy`) until it is switched off. @default false */
  readonly deletionProtection?: boolean;
}

/**
 * The pets table: one item per pet keyed by `petId`. On-demand capacity suits the design's
 * unpredictable traffic; point-in-time recovery and encryption are on because it holds user data.
 * Beside it, the service's Idempotency-Key table (app/idempotency.ts), apart so that listing pets
 * (a Scan) never reads keys.
 */
export class PetTable extends Construct {
  public readonly resource: DynamodbTable;
  public readonly tableName: string;
  public readonly tableArn: string;
  /** The Idempotency-Key table, `<tableName>-idempotency`. */
  public readonly idempotencyTable: DynamodbTable;
  public readonly idempotencyTableName: string;
  public readonly idempotencyTableArn: string;

  constructor(scope: Construct, id: string, props: PetTableProps) {
    super(scope, id);
    this.resource = new DynamodbTable(this, 'Table', {
      name: props.tableName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'petId',
      attribute: [{ name: 'petId', type: 'S' }],
      pointInTimeRecovery: { enabled: true },
      // Enabled means a KMS key (the AWS-managed aws/dynamodb one) rather than the AWS-owned default.
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: props.deletionProtection ?? false,
    });
    this.tableName = this.resource.name;
    this.tableArn = this.resource.arn;

    this.idempotencyTable = new DynamodbTable(this, 'IdempotencyTable', {
      name: `${props.tableName}-idempotency`,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'idempotencyKey',
      attribute: [{ name: 'idempotencyKey', type: 'S' }],
      // Keys are kept 24 h; TTL deletes them (free) once `expiresAt` (epoch seconds) has passed.
      ttl: { attributeName: 'expiresAt', enabled: true },
      // Stored answers hold pets: encrypted like the pets. No point-in-time recovery: nothing here
      // outlives a day or is worth restoring.
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: props.deletionProtection ?? false,
    });
    this.idempotencyTableName = this.idempotencyTable.name;
    this.idempotencyTableArn = this.idempotencyTable.arn;
  }

  /** Lets `role` read and write the data of both tables (items, not the tables' settings). */
  grantReadWriteData(role: IamRole): IamRolePolicy {
    return grant(role, 'TableAccess', 'pets-table', [
      {
        Effect: 'Allow',
        Action: PET_TABLE_DATA_ACTIONS,
        Resource: [this.tableArn, this.idempotencyTableArn],
      },
    ]);
  }
}
