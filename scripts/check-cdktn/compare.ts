// What `npm run check:cdktn` (cli.ts) does to the sources and to what they synthesize: the rename from
// cdktf to CDK Terrain (cdktn), and the differences between the two syntheses, each with its reason
// when it is a known one.
import { isRecord } from '../lib/json';

// The one step from cdktf to cdktn: the same APIs under new package names, cdktf → cdktn and
// @cdktf/provider-aws → @cdktn/provider-aws. Only module specifiers change (`from 'cdktf'`,
// `from '@cdktf/provider-aws/lib/vpc'`, `import 'cdktf'`, `import('cdktf')`); a string such as the
// `ManagedBy: 'cdktf'` tag is the project's own and stays.
const SPECIFIER = /((?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"])(cdktf|@cdktf\/provider-aws)(?=['"/])/g;
const ANY_CDKTF_SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])((?:cdktf|@cdktf\/[^'"/]+)[^'"]*)\1/g;

/** The source with its cdktf imports renamed, and those with no cdktn name here (`@cdktf/provider-random`). */
export function renameImports(source: string): { text: string; unrenamed: string[] } {
  const text = source.replace(SPECIFIER, (_, before, name) => before + name.replace('cdktf', 'cdktn'));
  const unrenamed = [...text.matchAll(ANY_CDKTF_SPECIFIER)].map((match) => match[2] as string);
  return { text, unrenamed };
}

/** One value that differs: `cdktf` or `cdktn` is `undefined` where the key is absent on that side. */
export interface Difference {
  /** JSON path, e.g. `petstore-dev.terraform.required_providers.aws.version`. */
  readonly path: string;
  readonly cdktf: unknown;
  readonly cdktn: unknown;
  /** Why it differs, when that is known and harmless; `undefined` for a difference nobody explained. */
  readonly reason?: string;
}

/** Every path at which two JSON values differ: keys on one side only, and leaves that are not equal. */
export function jsonDifferences(cdktf: unknown, cdktn: unknown, at = ''): Difference[] {
  if (JSON.stringify(cdktf) === JSON.stringify(cdktn)) return [];
  if (isRecord(cdktf) && isRecord(cdktn)) {
    const keys = [...new Set([...Object.keys(cdktf), ...Object.keys(cdktn)])].sort();
    return keys.flatMap((key) => jsonDifferences(cdktf[key], cdktn[key], at ? `${at}.${key}` : key));
  }
  if (Array.isArray(cdktf) && Array.isArray(cdktn) && cdktf.length === cdktn.length)
    return cdktf.flatMap((value, index) => jsonDifferences(value, cdktn[index], `${at}[${index}]`));
  return [{ path: at, cdktf, cdktn }];
}

/**
 * The differences between the stacks (`{ <stack>: <its cdk.tf.json> }`) the two sides synthesized,
 * explained; `providers`: the hashicorp/aws version each side's provider bindings were generated from.
 */
export function compareStacks(cdktf: unknown, cdktn: unknown, providers: readonly [string, string]) {
  return jsonDifferences(cdktf, cdktn).map((d): Difference => ({ ...d, reason: knownReason(d, providers) }));
}

function knownReason({ path, cdktf, cdktn }: Difference, providers: readonly string[]) {
  const inStack = path.slice(path.indexOf('.') + 1);
  if (inStack === '//.metadata.version') return 'the version of the library that synthesized the stack';
  const pinned = cdktf === providers[0] && cdktn === providers[1];
  if (inStack === 'terraform.required_providers.aws.version' && pinned)
    return 'each binding package pins the hashicorp/aws it was generated from: moving to cdktn upgrades the provider';
  const source = providerAddress(cdktf);
  if (inStack === 'terraform.required_providers.aws.source' && source === providerAddress(cdktn))
    return `the same provider, ${source}, its source written another way`;
  return undefined;
}

/** Terraform's reading of a provider source: `aws` and `hashicorp/aws` are both registry.terraform.io/hashicorp/aws. */
function providerAddress(source: unknown): string | undefined {
  if (typeof source !== 'string') return undefined;
  const parts = source.toLowerCase().split('/');
  return [...['registry.terraform.io', 'hashicorp'].slice(0, 3 - parts.length), ...parts].join('/');
}
