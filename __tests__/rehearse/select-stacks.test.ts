import { selectStacks } from '../../scripts/lib/cdktf-manifest';

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
