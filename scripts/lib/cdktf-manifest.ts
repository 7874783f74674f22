import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isRecord } from './json';
import { OperatorError } from './operator-error';

/** The part of `cdktf.out/manifest.json` the tooling reads: one entry per synthesized stack. */
export interface ManifestStack {
  name: string;
  dependencies: string[];
  /** Relative to the directory holding manifest.json, e.g. `stacks/petstore-dev`. */
  workingDirectory: string;
  /** Relative to the directory holding manifest.json, e.g. `stacks/petstore-dev/cdk.tf.json`. */
  synthesizedStackPath: string;
}

export interface Manifest {
  stacks: Record<string, ManifestStack>;
}

export function parseManifest(json: unknown): Manifest {
  if (!isRecord(json) || !isRecord(json.stacks)) {
    throw new Error('manifest.json has no "stacks" object');
  }
  const stacks: Record<string, ManifestStack> = {};
  for (const [key, value] of Object.entries(json.stacks)) {
    if (
      !isRecord(value) ||
      typeof value.workingDirectory !== 'string' ||
      typeof value.synthesizedStackPath !== 'string'
    ) {
      throw new Error(`manifest.json: stack "${key}" has no workingDirectory or synthesizedStackPath`);
    }
    const dependencies = value.dependencies ?? [];
    if (!Array.isArray(dependencies) || !dependencies.every((d) => typeof d === 'string')) {
      throw new Error(`manifest.json: stack "${key}" has malformed dependencies`);
    }
    stacks[key] = {
      name: typeof value.name === 'string' ? value.name : key,
      dependencies,
      workingDirectory: value.workingDirectory,
      synthesizedStackPath: value.synthesizedStackPath,
    };
  }
  return { stacks };
}

export interface SynthesizedStack {
  name: string;
  /** The stack's `cdk.tf.json`. */
  configPath: string;
  /** The directory cdktf runs terraform in for this stack. */
  workingDirectory: string;
}

/** The stacks listed in a cdktf output directory's `manifest.json`, with their paths resolved. */
export function readSynthesizedStacks(outputDirectory: string): SynthesizedStack[] {
  const manifest = parseManifest(
    JSON.parse(readFileSync(path.join(outputDirectory, 'manifest.json'), 'utf8')),
  );
  return Object.values(manifest.stacks).map((stack) => ({
    name: stack.name,
    configPath: path.join(outputDirectory, stack.synthesizedStackPath),
    workingDirectory: path.join(outputDirectory, stack.workingDirectory),
  }));
}

/** `petstore-*` → the stacks it names, in manifest order; a pattern that names none is an error. */
export function selectStacks(
  stacks: readonly SynthesizedStack[],
  patterns: readonly string[],
): SynthesizedStack[] {
  if (patterns.length === 0) return [...stacks];
  const matchers = patterns.map((pattern) => ({
    pattern,
    regex: new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`),
  }));
  for (const { pattern, regex } of matchers) {
    if (!stacks.some((stack) => regex.test(stack.name))) {
      throw new OperatorError(
        `no stack matches '${pattern}': the stacks are ${stacks.map((stack) => stack.name).join(', ')}`,
      );
    }
  }
  return stacks.filter((stack) => matchers.some(({ regex }) => regex.test(stack.name)));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
