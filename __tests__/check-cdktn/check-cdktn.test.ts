import { readdirSync, readFileSync } from 'node:fs';
import { compareStacks, jsonDifferences, renameImports } from '../../scripts/check-cdktn/compare';

describe('renameImports', () => {
  test('renames cdktf and its AWS provider in every kind of import, and nothing else', () => {
    const source = [
      "import { App, Token } from 'cdktf';",
      "import { Vpc } from '@cdktf/provider-aws/lib/vpc';",
      'import type { S3Backend } from "cdktf";',
      "export { Fn } from 'cdktf';",
      "const lazy = await import('@cdktf/provider-aws/lib/sns-topic');",
      "const tags = { ManagedBy: 'cdktf' };",
      "import { Construct } from 'constructs';",
    ].join('\n');
    const { text, unrenamed } = renameImports(source);
    expect(text.split('\n')).toEqual([
      "import { App, Token } from 'cdktn';",
      "import { Vpc } from '@cdktn/provider-aws/lib/vpc';",
      'import type { S3Backend } from "cdktn";',
      "export { Fn } from 'cdktn';",
      "const lazy = await import('@cdktn/provider-aws/lib/sns-topic');",
      "const tags = { ManagedBy: 'cdktf' };",
      "import { Construct } from 'constructs';",
    ]);
    expect(unrenamed).toEqual([]);
  });

  test('names a cdktf package it has no cdktn name for', () => {
    expect(renameImports("import { Id } from '@cdktf/provider-random/lib/id';").unrenamed).toEqual([
      '@cdktf/provider-random/lib/id',
    ]);
  });

  test("every cdktf package the constructs import has its cdktn name (the check's rename is complete)", () => {
    const files = [
      'main.ts',
      ...readdirSync('constructs', { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts'))
        .map((file) => `constructs/${file}`),
    ];
    expect(files).toContain('constructs/deploy-permissions/network.ts');
    for (const file of files) {
      expect(renameImports(readFileSync(file, 'utf8')).unrenamed, file).toEqual([]);
    }
  });
});

// The hashicorp/aws versions @cdktf/provider-aws 21.22.1 and @cdktn/provider-aws 25.7.0 were generated from.
const PROVIDERS = ['6.25.0', '6.66.0'] as const;

function stack(overrides: { library: string; source: string; aws: string; extra?: object }) {
  return {
    '//': { metadata: { version: overrides.library, stackName: 'petstore-dev' } },
    terraform: {
      backend: { local: { path: '<synth dir>/terraform.petstore-dev.tfstate' } },
      required_providers: { aws: { source: overrides.source, version: overrides.aws } },
    },
    resource: { aws_vpc: { Vpc: { cidr_block: '10.0.0.0/16', tags: { Name: 'x' }, ...overrides.extra } } },
  };
}

describe('compareStacks', () => {
  test('names the known differences: library version, provider version, provider source spelling', () => {
    const differences = compareStacks(
      { 'petstore-dev': stack({ library: '0.21.0', source: 'aws', aws: '6.25.0' }) },
      { 'petstore-dev': stack({ library: '0.24.0', source: 'hashicorp/aws', aws: '6.66.0' }) },
      PROVIDERS,
    );
    expect(differences.map(({ path, cdktf, cdktn }) => [path, cdktf, cdktn])).toEqual([
      ['petstore-dev.//.metadata.version', '0.21.0', '0.24.0'],
      ['petstore-dev.terraform.required_providers.aws.source', 'aws', 'hashicorp/aws'],
      ['petstore-dev.terraform.required_providers.aws.version', '6.25.0', '6.66.0'],
    ]);
    expect(differences.every((difference) => difference.reason !== undefined)).toBe(true);
    expect(differences[1]?.reason).toContain('registry.terraform.io/hashicorp/aws');
  });

  test('any other difference is listed without a reason, and so fails the check: also a provider version the bindings do not pin, and a stack on one side only', () => {
    const differences = compareStacks(
      { 'petstore-dev': stack({ library: '0.21.0', source: 'aws', aws: '6.25.0' }) },
      {
        'petstore-dev': stack({
          library: '0.21.0',
          source: 'hashicorp/azurerm',
          aws: '6.30.0',
          extra: { tags: {} },
        }),
        'petstore-qa': {},
      },
      PROVIDERS,
    );
    expect(differences).toEqual([
      {
        path: 'petstore-dev.resource.aws_vpc.Vpc.tags.Name',
        cdktf: 'x',
        cdktn: undefined,
        reason: undefined,
      },
      {
        path: 'petstore-dev.terraform.required_providers.aws.source',
        cdktf: 'aws',
        cdktn: 'hashicorp/azurerm',
        reason: undefined,
      },
      {
        path: 'petstore-dev.terraform.required_providers.aws.version',
        cdktf: '6.25.0',
        cdktn: '6.30.0',
        reason: undefined,
      },
      { path: 'petstore-qa', cdktf: undefined, cdktn: {}, reason: undefined },
    ]);
  });
});

describe('jsonDifferences', () => {
  test('reports keys on one side only, changed leaves and lists of another length by their paths', () => {
    expect(jsonDifferences({ a: [1, { b: 2 }], c: [1] }, { a: [1, { b: 3 }], c: [1, 2], d: true })).toEqual([
      { path: 'a[1].b', cdktf: 2, cdktn: 3 },
      { path: 'c', cdktf: [1], cdktn: [1, 2] },
      { path: 'd', cdktf: undefined, cdktn: true },
    ]);
  });
});
