import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isRecord } from './json';
import { OperatorError } from './operator-error';

/**
 * The part of `cdktf.out/manifest.json` the tooling reads: one entry per synthesized stack, its paths relative
 * to the directory holding manifest.json (`stacks/petstore-dev`, `stacks/petstore-dev/cdk.tf.json`).
 */
type ManifestStack = {
  name: string;
  dependencies: string[];
  workingDirectory: string;
  synthesizedStackPath: string;
};
export type Manifest = { stacks: Record<string, ManifestStack> };

export function parseManifest(json: unknown): Manifest {
  if (!isRecord(json) || !isRecord(json.stacks)) throw new Error('manifest.json has no "stacks" object');
  const stacks = Object.entries(json.stacks).map(([key, stack]): [string, ManifestStack] => {
    const { name, dependencies = [], workingDirectory, synthesizedStackPath } = isRecord(stack) ? stack : {};
    if (typeof workingDirectory !== 'string' || typeof synthesizedStackPath !== 'string')
      throw new Error(`manifest.json: stack "${key}" has no workingDirectory or synthesizedStackPath`);
    if (!Array.isArray(dependencies) || !dependencies.every((d) => typeof d === 'string'))
      throw new Error(`manifest.json: stack "${key}" has malformed dependencies`);
    const stackName = typeof name === 'string' ? name : key;
    return [key, { name: stackName, dependencies, workingDirectory, synthesizedStackPath }];
  });
  return { stacks: Object.fromEntries(stacks) };
}

export function readManifest(file: string): Manifest {
  return parseManifest(JSON.parse(readFileSync(file, 'utf8')));
}

/** A stack's `cdk.tf.json` (`configPath`), and the directory cdktf runs terraform in for it. */
export type SynthesizedStack = { name: string; configPath: string; workingDirectory: string };

/** The stacks listed in a cdktf output directory's `manifest.json`, with their paths resolved. */
export function readSynthesizedStacks(outputDirectory: string): SynthesizedStack[] {
  const manifest = readManifest(path.join(outputDirectory, 'manifest.json'));
  return Object.values(manifest.stacks).map((stack) => ({
    name: stack.name,
    configPath: path.join(outputDirectory, stack.synthesizedStackPath),
    workingDirectory: path.join(outputDirectory, stack.workingDirectory),
  }));
}

/** `petstore-*` → the stacks it names, in manifest order; a pattern that names none is an error. */
export function selectStacks(stacks: readonly SynthesizedStack[], patterns: readonly string[]) {
  if (patterns.length === 0) return [...stacks];
  const regexes = patterns.map((pattern) => {
    const parts = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
    const regex = new RegExp(`^${parts.join('.*')}$`);
    if (stacks.some((stack) => regex.test(stack.name))) return regex;
    const names = stacks.map((stack) => stack.name).join(', ');
    throw new OperatorError(`no stack matches '${pattern}': the stacks are ${names}`);
  });
  return stacks.filter((stack) => regexes.some((regex) => regex.test(stack.name)));
}
