import { selectStacks } from '../../scripts/lib/cdktf-manifest';
import type { ResourceChange } from '../../scripts/lib/emulator/workspace';
import {
  changedAttributes,
  EMULATOR_DIFFERENCES,
  unexplainedChange,
} from '../../scripts/rehearse/emulator-differences';

function update(
  type: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): ResourceChange {
  return {
    address: `${type}.Example`,
    type,
    mode: 'managed',
    change: { actions: ['update'], before, after, after_unknown: {} },
  };
}

describe('a second plan against the emulator', () => {
  test('every known emulator difference names a resource type, an attribute and why', () => {
    expect(EMULATOR_DIFFERENCES).toHaveLength(4);
    for (const difference of EMULATOR_DIFFERENCES) {
      expect(difference.type).toMatch(/^aws_/);
      expect(difference.attribute).toMatch(/^[a-z_]+$/);
      expect(difference.reason).toMatch(/^moto 5\.2 /);
    }
  });

  test('a description moto does not read back on a security-group rule is explained', () => {
    const change = update(
      'aws_vpc_security_group_ingress_rule',
      { description: null, from_port: 8080 },
      { description: 'API requests from the VPC link only', from_port: 8080 },
    );
    expect(changedAttributes(change)).toEqual(['description']);
    expect(unexplainedChange(change)).toBeUndefined();
  });

  test('the same attribute on another resource type is a perpetual diff', () => {
    const change = update('aws_security_group', { description: 'a' }, { description: 'b' });
    expect(unexplainedChange(change)).toBe(
      'aws_security_group.Example would be updated again: description (a perpetual diff)',
    );
  });

  test('an explained attribute does not hide an unexplained one beside it', () => {
    const change = update(
      'aws_vpc_security_group_egress_rule',
      { description: null, to_port: 443 },
      { description: 'HTTPS to AWS APIs', to_port: 8443 },
    );
    expect(unexplainedChange(change)).toContain(': to_port (a perpetual diff)');
  });

  test('a value known only after apply counts as a change', () => {
    const change: ResourceChange = {
      ...update('aws_ecs_service', { task_definition: 'arn:1' }, { task_definition: null }),
      change: {
        actions: ['update'],
        before: { task_definition: 'arn:1' },
        after: {},
        after_unknown: { task_definition: true },
      },
    };
    expect(changedAttributes(change)).toEqual(['task_definition']);
  });

  test('a replacement or a creation is never explained by the emulator', () => {
    const replace: ResourceChange = {
      ...update('aws_vpc_security_group_ingress_rule', {}, {}),
      change: { actions: ['delete', 'create'], before: {}, after: {} },
    };
    expect(unexplainedChange(replace)).toBe(
      'aws_vpc_security_group_ingress_rule.Example would be replaced again',
    );
    const create: ResourceChange = { ...replace, change: { actions: ['create'], before: null, after: {} } };
    expect(unexplainedChange(create)).toBe(
      'aws_vpc_security_group_ingress_rule.Example would be created again',
    );
  });

  test('no-ops and data-source reads are not changes', () => {
    const noOp: ResourceChange = {
      ...update('aws_vpc', {}, {}),
      change: { actions: ['no-op'], before: {}, after: {} },
    };
    const read: ResourceChange = {
      ...noOp,
      mode: 'data',
      change: { actions: ['read'], before: null, after: {} },
    };
    expect(unexplainedChange(noOp)).toBeUndefined();
    expect(unexplainedChange(read)).toBeUndefined();
  });
});

describe('selectStacks', () => {
  const stacks = ['petstore-bootstrap', 'petstore-dev', 'petstore-prod'].map((name) => ({
    name,
    configPath: `stacks/${name}/cdk.tf.json`,
    workingDirectory: `stacks/${name}`,
  }));

  test('all stacks by default, a name, or a glob, in manifest order', () => {
    expect(selectStacks(stacks, []).map((stack) => stack.name)).toHaveLength(3);
    expect(selectStacks(stacks, ['petstore-prod']).map((stack) => stack.name)).toEqual(['petstore-prod']);
    expect(selectStacks(stacks, ['petstore-prod', 'petstore-d*']).map((stack) => stack.name)).toEqual([
      'petstore-dev',
      'petstore-prod',
    ]);
  });

  test('a pattern that names no stack is an operator error listing the stacks', () => {
    expect(() => selectStacks(stacks, ['petstore-staging'])).toThrow(
      "no stack matches 'petstore-staging': the stacks are petstore-bootstrap, petstore-dev, petstore-prod",
    );
  });

  test('dots in a pattern are literal', () => {
    expect(() => selectStacks(stacks, ['petstore.dev'])).toThrow('no stack matches');
  });
});
