import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { PetTable } from '../../constructs/pet-table';
import { resourcesOf, synthScope, type TerraformBlock } from './support';

describe('PetTable', () => {
  test('is an on-demand table keyed by the string petId', () => {
    const synthesized = synthScope((scope) => new PetTable(scope, 'PetTable', { tableName: 'pets' }));
    expect(synthesized).toHaveResourceWithProperties(DynamodbTable, {
      name: 'pets',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'petId',
      attribute: [{ name: 'petId', type: 'S' }],
    });
    expect(synthesized).not.toHaveResourceWithProperties(DynamodbTable, { read_capacity: expect.anything() });
  });

  test('has point-in-time recovery and KMS encryption', () => {
    const synthesized = synthScope((scope) => new PetTable(scope, 'PetTable', { tableName: 'pets' }));
    expect(synthesized).toHaveResourceWithProperties(DynamodbTable, {
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true },
    });
  });

  test('deletion protection is off by default and on when asked', () => {
    const withDefault = synthScope((scope) => new PetTable(scope, 'PetTable', { tableName: 'pets' }));
    expect(withDefault).toHaveResourceWithProperties(DynamodbTable, { deletion_protection_enabled: false });
    const protectedTable = synthScope(
      (scope) => new PetTable(scope, 'PetTable', { tableName: 'pets', deletionProtection: true }),
    );
    expect(protectedTable).toHaveResourceWithProperties(DynamodbTable, { deletion_protection_enabled: true });
  });

  test('keeps Idempotency-Keys in a table of their own, deleted by TTL on expiresAt', () => {
    const synthesized = synthScope((scope) => new PetTable(scope, 'PetTable', { tableName: 'pets' }));
    expect(synthesized).toHaveResourceWithProperties(DynamodbTable, {
      name: 'pets-idempotency',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'idempotencyKey',
      attribute: [{ name: 'idempotencyKey', type: 'S' }],
      ttl: { attribute_name: 'expiresAt', enabled: true },
      server_side_encryption: { enabled: true },
    });
  });
});

describe('PetTable replicas (table.replicaRegions)', () => {
  const withReplicas = (replicaRegions: string[]) =>
    synthScope(
      (scope) =>
        new PetTable(scope, 'PetTable', {
          tableName: 'pets',
          region: 'us-east-1',
          deletionProtection: true,
          replicaRegions,
        }),
    );
  const tables = (synthesized: string): Record<string, TerraformBlock> =>
    Object.fromEntries(resourcesOf(synthesized, 'aws_dynamodb_table').map((table) => [table.name, table]));

  test('puts a replica of both tables in each region, with streams on and deletion protection kept', () => {
    const { pets, 'pets-idempotency': keys } = tables(withReplicas(['us-west-2', 'eu-west-1']));
    for (const table of [pets, keys]) {
      expect(table?.stream_enabled).toBe(true);
      expect(table?.stream_view_type).toBe('NEW_AND_OLD_IMAGES');
      expect(table?.deletion_protection_enabled).toBe(true);
      expect(table?.replica.map((replica: TerraformBlock) => replica.region_name)).toEqual([
        'us-west-2',
        'eu-west-1',
      ]);
    }
  });

  test("each pets replica has point-in-time recovery, its region's AWS managed key and the stack's tags", () => {
    const { pets, 'pets-idempotency': keys } = tables(withReplicas(['us-west-2']));
    // Encrypted as the table is: no key ARN means that region's aws/dynamodb key.
    expect(pets?.server_side_encryption).toEqual({ enabled: true });
    expect(pets?.replica).toEqual([
      { region_name: 'us-west-2', point_in_time_recovery: true, propagate_tags: true },
    ]);
    // The idempotency table keeps no point-in-time recovery, nor do its replicas.
    expect(keys?.point_in_time_recovery).toBeUndefined();
    expect(keys?.replica).toEqual([
      { region_name: 'us-west-2', point_in_time_recovery: false, propagate_tags: true },
    ]);
  });

  test('without replica regions the tables have no stream and no replica', () => {
    for (const table of Object.values(tables(withReplicas([])))) {
      expect(table.replica).toBeUndefined();
      expect(table.stream_enabled).toBeUndefined();
    }
  });

  test('refuses a region that is not a region code, its own region, a duplicate, or no own region', () => {
    expect(() => withReplicas(['us-west'])).toThrow(
      "`replicaRegions[0]` is 'us-west'; expected an AWS region code such as us-east-1.",
    );
    expect(() => withReplicas(['us-west-2', 'us-east-1'])).toThrow(
      "`replicaRegions[1]` is 'us-east-1'; the tables are already in that region; a replica must be in another.",
    );
    expect(() => withReplicas(['eu-west-1', 'eu-west-1'])).toThrow(
      "`replicaRegions[1]` is 'eu-west-1'; each region may hold one replica; it is named twice.",
    );
    expect(() =>
      synthScope(
        (scope) => new PetTable(scope, 'PetTable', { tableName: 'pets', replicaRegions: ['eu-west-1'] }),
      ),
    ).toThrow("`region` is undefined; the tables' own region is needed with `replicaRegions`.");
  });
});
