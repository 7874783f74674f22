import { isRecord } from '../lib/json';

/** One value that differs between the two synthesized configurations. */
export interface Difference {
  readonly stack: string;
  /** JSON path, e.g. `terraform.required_providers.aws.version`. */
  readonly path: string;
  /** `undefined` when the key is absent on that side. */
  readonly cdktf: unknown;
  readonly cdktn: unknown;
  /** Why it differs, when that is known and harmless; `undefined` for a difference nobody explained. */
  readonly reason?: string;
}

/** What each side was built from: named in the reasons. */
export interface Versions {
  readonly cdktf: string;
  readonly cdktn: string;
  /** `@cdktf/provider-aws <version>` and the hashicorp/aws version its bindings were generated from. */
  readonly cdktfProvider: { readonly package: string; readonly aws: string };
  readonly cdktnProvider: { readonly package: string; readonly aws: string };
}

/** Every path at which two JSON values differ: keys on one side only, and leaves that are not equal. */
export function jsonDifferences(
  cdktf: unknown,
  cdktn: unknown,
  at = '',
): { path: string; cdktf: unknown; cdktn: unknown }[] {
  if (JSON.stringify(cdktf) === JSON.stringify(cdktn)) return [];
  const join = (key: string | number) =>
    typeof key === 'number' ? `${at}[${key}]` : at ? `${at}.${key}` : key;
  if (isRecord(cdktf) && isRecord(cdktn)) {
    const keys = [...new Set([...Object.keys(cdktf), ...Object.keys(cdktn)])].sort();
    return keys.flatMap((key) => jsonDifferences(cdktf[key], cdktn[key], join(key)));
  }
  if (Array.isArray(cdktf) && Array.isArray(cdktn) && cdktf.length === cdktn.length) {
    return cdktf.flatMap((value, index) => jsonDifferences(value, cdktn[index], join(index)));
  }
  return [{ path: at, cdktf, cdktn }];
}

/**
 * The differences between one stack's `cdk.tf.json` as cdktf and as cdktn synthesize it, each with its
 * reason where it is one of the known ones. Absolute paths (the local backend's state file) are compared
 * relative to the directory each side was synthesized in.
 */
export function compareStack(
  stack: string,
  cdktf: { readonly config: unknown; readonly root: string },
  cdktn: { readonly config: unknown; readonly root: string },
  versions: Versions,
): Difference[] {
  return jsonDifferences(relativeTo(cdktf.root, cdktf.config), relativeTo(cdktn.root, cdktn.config)).map(
    (difference) => ({ stack, ...difference, reason: knownReason(difference, versions) }),
  );
}

function knownReason(
  { path, cdktf, cdktn }: { path: string; cdktf: unknown; cdktn: unknown },
  versions: Versions,
): string | undefined {
  if (path === '//.metadata.version' && cdktf === versions.cdktf && cdktn === versions.cdktn) {
    return `the library that synthesized the stack (cdktf ${versions.cdktf}, cdktn ${versions.cdktn})`;
  }
  if (path === 'terraform.required_providers.aws.version') {
    const { cdktfProvider: before, cdktnProvider: after } = versions;
    if (cdktf === before.aws && cdktn === after.aws) {
      return `the provider version: ${before.package} is generated from hashicorp/aws ${before.aws}, ${after.package} from ${after.aws}; moving to cdktn upgrades the provider`;
    }
  }
  if (
    path === 'terraform.required_providers.aws.source' &&
    providerAddress(cdktf) === providerAddress(cdktn)
  ) {
    return `the same provider, ${providerAddress(cdktf)}, its source written ${JSON.stringify(cdktn)} instead of ${JSON.stringify(cdktf)}`;
  }
  return undefined;
}

/** Terraform's reading of a provider source: `aws` and `hashicorp/aws` are both the registry's hashicorp/aws. */
function providerAddress(source: unknown): string | undefined {
  if (typeof source !== 'string') return undefined;
  const parts = source.toLowerCase().split('/');
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${parts[0]}`;
  if (parts.length === 2) return `registry.terraform.io/${parts.join('/')}`;
  return parts.join('/');
}

/** The value with `root` in every string replaced by `<synth dir>`. */
function relativeTo(root: string, value: unknown): unknown {
  if (typeof value === 'string') return value.split(root).join('<synth dir>');
  if (Array.isArray(value)) return value.map((item) => relativeTo(root, item));
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, relativeTo(root, item)]));
  }
  return value;
}
