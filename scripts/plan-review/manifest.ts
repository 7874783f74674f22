import type { Manifest } from '../lib/cdktf-manifest';

/**
 * Stack names so that every stack comes after the stacks it depends on (the order cdktf deploys in),
 * otherwise in manifest order; with `target`, only that stack and what it depends on.
 */
export function stacksInDependencyOrder(manifest: Manifest, target?: string): string[] {
  const ordered: string[] = [];
  const visiting: string[] = [];
  const visit = (name: string, dependent?: string) => {
    if (ordered.includes(name)) return;
    const stack = manifest.stacks[name];
    if (!stack && dependent)
      throw new Error(`stack "${dependent}" depends on "${name}", which is not in the manifest`);
    if (!stack)
      throw new Error(
        `stack "${name}" is not in the manifest (stacks: ${Object.keys(manifest.stacks).join(', ')})`,
      );
    if (visiting.includes(name)) throw new Error(`dependency cycle between stacks: ${visiting.join(', ')}`);
    visiting.push(name);
    for (const dependency of stack.dependencies) visit(dependency, name);
    visiting.pop();
    ordered.push(name);
  };
  for (const name of target === undefined ? Object.keys(manifest.stacks) : [target]) visit(name);
  return ordered;
}
