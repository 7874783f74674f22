import { formatAttributePath, hasChanges } from '../../scripts/plan-review/classify';
import { buildStackReport } from '../../scripts/plan-review/stack-report';
import { type FixtureName, fixture, summaryOf as summaryOfPlan } from './fixtures';

function summaryOf(name: FixtureName) {
  return summaryOfPlan(fixture(name).planJson);
}

describe('classifyPlan', () => {
  it('counts creates and skips data source reads', () => {
    const summary = summaryOf('creates');
    expect(summary.counts).toMatchObject({ create: 3, update: 0, delete: 0, replace: 0 });
    expect(summary.resourceChanges.map((c) => c.address)).not.toContain('data.aws_caller_identity.current');
    expect(summary.outputsChange).toBe(true);
  });

  it('counts an in-place update and ignores no-ops', () => {
    const summary = summaryOf('update');
    expect(summary.resourceChanges).toEqual([
      { address: 'aws_ecs_service.api', kind: 'update', replacePaths: [] },
    ]);
    expect(summary.outputsChange).toBe(false);
  });

  it('turns delete,create and create,delete into replacements with the paths that force them', () => {
    const summary = summaryOf('replace');
    expect(summary.counts).toMatchObject({ create: 0, update: 1, delete: 0, replace: 2 });
    const byAddress = Object.fromEntries(summary.resourceChanges.map((c) => [c.address, c]));
    expect(byAddress['aws_cognito_user_pool_client.web']).toEqual({
      address: 'aws_cognito_user_pool_client.web',
      kind: 'replace',
      reason: 'replace_because_cannot_update',
      replacePaths: ['name'],
    });
    expect(byAddress['aws_ecs_task_definition.api']?.replacePaths).toEqual(['container_definitions']);
  });

  it('classifies a deletion, a deposed object and a forget', () => {
    const summary = summaryOf('delete');
    expect(summary.resourceChanges).toEqual([
      {
        address: 'aws_dynamodb_table.legacy_orders',
        kind: 'delete',
        reason: 'delete_because_no_resource_config',
        replacePaths: [],
      },
      { address: 'aws_ecs_task_definition.api', deposed: '6a1f9e2c', kind: 'delete', replacePaths: [] },
      {
        address: 'aws_cloudwatch_log_group.old',
        kind: 'forget',
        reason: 'delete_because_no_resource_config',
        replacePaths: [],
      },
    ]);
    expect(summary.counts).toMatchObject({ delete: 2, forget: 1 });
  });

  it('names a sensitive attribute that forces a replacement', () => {
    const summary = summaryOf('sensitive');
    const secretVersion = summary.resourceChanges.find(
      (c) => c.address === 'aws_secretsmanager_secret_version.signing_key',
    );
    expect(secretVersion?.replacePaths).toEqual(['secret_string']);
  });

  it('finds no changes in a plan of no-ops and reads', () => {
    const summary = summaryOf('no-changes');
    expect(hasChanges(summary)).toBe(false);
    expect(summary.counts).toEqual({
      create: 0,
      update: 0,
      delete: 0,
      replace: 0,
      forget: 0,
      import: 0,
      move: 0,
    });
  });

  it('counts a pure import and refuses action lists it does not know', () => {
    const plan = (actions: string[], importing?: object) =>
      summaryOfPlan(
        JSON.stringify({
          format_version: '1.2',
          resource_changes: [
            {
              address: 'aws_s3_bucket.state',
              mode: 'managed',
              type: 'aws_s3_bucket',
              name: 'state',
              change: { actions, importing },
            },
          ],
        }),
      );
    expect(plan(['no-op'], { id: 'petstore-state' }).counts.import).toBe(1);
    expect(() => plan(['delete', 'update'])).toThrow(
      'aws_s3_bucket.state: unknown change actions [delete,update]',
    );
  });
});

describe('formatAttributePath', () => {
  it('writes names, map keys and list indices the way Terraform does', () => {
    expect(formatAttributePath(['container_definitions'])).toBe('container_definitions');
    expect(formatAttributePath(['ingress', 0, 'cidr_blocks'])).toBe('ingress[0].cidr_blocks');
    expect(formatAttributePath(['tags', 'kubernetes.io/role'])).toBe('tags["kubernetes.io/role"]');
  });
});

describe('buildStackReport', () => {
  it('makes a stack whose plan has change actions it does not know failed, naming them', () => {
    const change = { address: 'aws_s3_bucket.state', mode: 'managed', type: 'aws_s3_bucket', name: 'state' };
    const planJson = JSON.stringify({
      format_version: '1.2',
      resource_changes: [{ ...change, change: { actions: ['delete', 'update'] } }],
    });
    expect(buildStackReport('petstore-dev', { planJson, planText: 'Plan: 0 to add' })).toEqual({
      stack: 'petstore-dev',
      status: 'failed',
      error:
        'The plan of petstore-dev could not be read: plan.json is aws_s3_bucket.state: unknown change actions [delete,update].',
    });
  });
});
