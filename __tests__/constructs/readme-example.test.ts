import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { Testing } from 'cdktf';
import { PetTable } from '../../constructs/pet-table';

describe('PetTable', () => {
  test('is billed per request and keyed by petId', () => {
    const synthesized = Testing.synthScope((scope) => {
      new PetTable(scope, 'PetTable', { tableName: 'pets' });
    });
    expect(synthesized).toHaveResourceWithProperties(DynamodbTable, {
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'petId',
    });
  });
});
