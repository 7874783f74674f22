import { readdirSync, readFileSync } from 'node:fs';
import { compareStack, jsonDifferences, type Versions } from '../../scripts/check-cdktn/compare';
import { renameImports } from '../../scripts/check-cdktn/rename';

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
    const { text, count, unrenamed } = renameImports(source);
    expect(text.split('\n')).toEqual([
      "import { App, Token } from 'cdktn';",
      "import { Vpc } from '@cdktn/provider-aws/lib/vpc';",
      'import type { S3Backend } from "cdktn";',
      "export { Fn } from 'cdktn';",
      "const lazy = await import('@cdktn/provider-aws/lib/sns-topic');",
      "const tags = { ManagedBy: 'cdktf' };",
      "import { Construct } from 'constructs';",
    ]);
    expect(count).toBe(5);
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

const VERSIONS: Versions = {
  cdktf: '0.21.0',
  cdktn: '0.24.0',
  cdktfProvider: { package: '@cdktf/provider-aws 21.22.1', aws: '6.25.0' },
  cdktnProvider: { package: '@cdktn/provider-aws 25.7.0', aws: '6.66.0' },
};

function stack(overrides: { library: string; source: string; aws: string; root: string; extra?: object }) {
  return {
    '//': { metadata: { version: overrides.library, stackName: 'petstore-dev' } },
    terraform: {
      backend: { local: { path: `${overrides.root}/terraform.petstore-dev.tfstate` } },
      required_providers: { aws: { source: overrides.source, version: overrides.aws } },
    },
    resource: { aws_vpc: { Vpc: { cidr_block: '10.0.0.0/16', tags: { Name: 'x' }, ...overrides.extra } } },
  };
}

describe('compareStack', () => {
  test('names the known differences: library version, provider version, provider source spelling', () => {
    const differences = compareStack(
      'petstore-dev',
      { config: stack({ library: '0.21.0', source: 'aws', aws: '6.25.0', root: '/work' }), root: '/work' },
      {
        config: stack({ library: '0.24.0', source: 'hashicorp/aws', aws: '6.66.0', root: '/tmp/copy' }),
        root: '/tmp/copy',
      },
      VERSIONS,
    );
    expect(differences.map(({ path, cdktf, cdktn }) => [path, cdktf, cdktn])).toEqual([
      ['//.metadata.version', '0.21.0', '0.24.0'],
      ['terraform.required_providers.aws.source', 'aws', 'hashicorp/aws'],
      ['terraform.required_providers.aws.version', '6.25.0', '6.66.0'],
    ]);
    expect(differences.every((difference) => difference.reason !== undefined)).toBe(true);
    expect(differences[2]?.reason).toContain('@cdktn/provider-aws 25.7.0 from 6.66.0');
  });

  test('any other difference is listed without a reason, and so fails the check', () => {
    const differences = compareStack(
      'petstore-dev',
      { config: stack({ library: '0.21.0', source: 'aws', aws: '6.25.0', root: '/a' }), root: '/a' },
      {
        config: stack({ library: '0.21.0', source: 'aws', aws: '6.30.0', root: '/a', extra: { tags: {} } }),
        root: '/a',
      },
      VERSIONS,
    );
    expect(differences).toEqual([
      {
        stack: 'petstore-dev',
        path: 'resource.aws_vpc.Vpc.tags.Name',
        cdktf: 'x',
        cdktn: undefined,
        reason: undefined,
      },
      {
        stack: 'petstore-dev',
        path: 'terraform.required_providers.aws.version',
        cdktf: '6.25.0',
        cdktn: '6.30.0',
        reason: undefined,
      },
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
