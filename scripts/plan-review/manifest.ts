import path from 'node:path';
import type { Manifest } from '../lib/cdktf-manifest';

/**
 * Stack names so that every stack comes after the stacks it depends on (the order cdktf deploys in).
 * Among stacks that are ready at the same time, manifest order is kept, so the output is stable.
 * With `target`, only that stack and its transitive dependencies are returned.
 */
export function stacksInDependencyOrder(manifest: Manifest, target?: string): string[] {
  const names = Object.keys(manifest.stacks);
  for (const name of names) {
    for (const dependency of manifest.stacks[name]?.dependencies ?? []) {
      if (!manifest.stacks[dependency]) {
        throw new Error(`stack "${name}" depends on "${dependency}", which is not in the manifest`);
      }
    }
  }
  const wanted = target === undefined ? new Set(names) : withDependencies(manifest, target);

  const ordered: string[] = [];
  const placed = new Set<string>();
  let pending = names.filter((name) => wanted.has(name));
  while (pending.length > 0) {
    const ready = pending.filter((name) =>
      (manifest.stacks[name]?.dependencies ?? []).every((dependency) => placed.has(dependency)),
    );
    if (ready.length === 0) {
      throw new Error(`dependency cycle between stacks: ${pending.join(', ')}`);
    }
    for (const name of ready) {
      ordered.push(name);
      placed.add(name);
    }
    pending = pending.filter((name) => !placed.has(name));
  }
  return ordered;
}

function withDependencies(manifest: Manifest, target: string): Set<string> {
  if (!manifest.stacks[target]) {
    throw new Error(
      `stack "${target}" is not in the manifest (stacks: ${Object.keys(manifest.stacks).join(', ')})`,
    );
  }
  const found = new Set<string>();
  const visit = (name: string) => {
    if (found.has(name)) return;
    found.add(name);
    for (const dependency of manifest.stacks[name]?.dependencies ?? []) visit(dependency);
  };
  visit(target);
  return found;
}

/** Directory to run `terraform -chdir=…` in for a stack. */
export function stackDirectory(manifest: Manifest, manifestPath: string, stack: string): string {
  const entry = manifest.stacks[stack];
  if (!entry) throw new Error(`stack "${stack}" is not in the manifest`);
  return path.join(path.dirname(manifestPath), entry.workingDirectory);
}
