import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { REGION, REGION_ALLOWED } from './config';
import { grant } from './iam';
import { invalid, requireMatch } from './validation';

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
  /**
   * Regions that hold a replica of both tables (a global table, version 2019.11.21): each with the
   * table's point-in-time recovery and encrypted under its own region's AWS managed key, `aws/dynamodb`.
   * Streams are turned on, which replication needs. Writes are last-writer-wins across regions: see
   * docs/operations.md before a second region takes writes. @default [] - no replica
   */
  readonly replicaRegions?: readonly string[];
  /** The region the tables are in, which `replicaRegions` may not name. Required with `replicaRegions`. @default - unchecked */
  readonly region?: string;
}

/** Fails on a replica region that is not a region code, is the tables' own region or is named twice. */
function validateReplicaRegions(replicaRegions: readonly string[], region: string | undefined): void {
  if (replicaRegions.length > 0 && region === undefined)
    throw invalid('region', region, "the tables' own region is needed with `replicaRegions`");
  replicaRegions.forEach((replica, index) => {
    const field = `replicaRegions[${index}]`;
    requireMatch(field, replica, REGION, REGION_ALLOWED);
    if (replica === region)
      throw invalid(field, replica, 'the tables are already in that region; a replica must be in another');
    if (replicaRegions.indexOf(replica) !== index)
      throw invalid(field, replica, 'each region may hold one replica; it is named twice');
  });
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
  /** Both tables' ARNs: what an audit of their data names. */
  public readonly tableArns: readonly string[];

  /** The regions that hold a replica of both tables. */
  public readonly replicaRegions: readonly string[];

  constructor(scope: Construct, id: string, props: PetTableProps) {
    super(scope, id);
    this.replicaRegions = props.replicaRegions ?? [];
    validateReplicaRegions(this.replicaRegions, props.region);
    this.resource = new DynamodbTable(this, 'Table', {
      name: props.tableName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'petId',
      attribute: [{ name: 'petId', type: 'S' }],
      pointInTimeRecovery: { enabled: true },
      // Enabled means a KMS key (the AWS-managed aws/dynamodb one) rather than the AWS-owned default.
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: props.deletionProtection ?? false,
      ...this.globalTable(true),
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
      // Stored answers hold pets: encrypted like the pets. No point-in-time recovery (nor on its
      // replicas): nothing here outlives a day or is worth restoring.
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: props.deletionProtection ?? false,
      ...this.globalTable(false),
    });
    this.idempotencyTableName = this.idempotencyTable.name;
    this.idempotencyTableArn = this.idempotencyTable.arn;
    this.tableArns = [this.tableArn, this.idempotencyTableArn];
  }

  /**
   * The replicas of a table and the stream they replicate from; nothing without replica regions, so a
   * table without replicas synthesizes as before. No `kms_key_arn`: a replica of a table under the AWS
   * managed key uses that key of its own region (a key must be in the replica's region), and the
   * provider reads an AWS managed key back as unset. Replica deletion protection is an argument of
   * provider 6.x only (5.100, the emulator's, refuses it): the primary's protection stays.
   */
  private globalTable(pointInTimeRecovery: boolean) {
    if (this.replicaRegions.length === 0) return {};
    return {
      streamEnabled: true,
      streamViewType: 'NEW_AND_OLD_IMAGES',
      replica: this.replicaRegions.map((regionName) => ({
        regionName,
        pointInTimeRecovery,
        // The replicas carry the stack's tags, which the deploy role's permissions go by.
        propagateTags: true,
      })),
    };
  }

  /** Lets `role` read and write the data of both tables (items, not the tables' settings). */
  grantReadWriteData(role: IamRole): IamRolePolicy {
    return grant(role, 'TableAccess', 'pets-table', [
      {
        Effect: 'Allow',
        Action: PET_TABLE_DATA_ACTIONS,
        Resource: [...this.tableArns],
      },
    ]);
  }
}
