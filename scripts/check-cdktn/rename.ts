/**
 * The one step from cdktf to CDK Terrain (cdktn): the same APIs under new package names. Only module
 * specifiers change; a string such as the `ManagedBy: 'cdktf'` tag is the project's own and stays.
 */
export const RENAMES: Readonly<Record<string, string>> = {
  cdktf: 'cdktn',
  '@cdktf/provider-aws': '@cdktn/provider-aws',
};

// `from 'cdktf'`, `from '@cdktf/provider-aws/lib/vpc'`, `import 'cdktf'`, `import('cdktf')`.
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(cdktf|@cdktf\/provider-aws)(?=['"/])/g;
const ANY_CDKTF_SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])((?:cdktf|@cdktf\/[^'"/]+)[^'"]*)\1/g;

export interface Renamed {
  readonly text: string;
  /** How many module specifiers were renamed. */
  readonly count: number;
  /** cdktf packages still imported that have no cdktn name here, e.g. `@cdktf/provider-random`. */
  readonly unrenamed: readonly string[];
}

/** Renames the cdktf packages a TypeScript source imports to their cdktn names. */
export function renameImports(source: string): Renamed {
  let count = 0;
  const text = source.replace(SPECIFIER, (_match, keyword: string, quote: string, name: string) => {
    count += 1;
    return `${keyword}${quote}${RENAMES[name]}`;
  });
  const unrenamed = [...text.matchAll(ANY_CDKTF_SPECIFIER)].map((match) => match[2] as string);
  return { text, count, unrenamed };
}
