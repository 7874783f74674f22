import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { PetTable } from '../../constructs/pet-table';
import { synthScope } from './support';

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
