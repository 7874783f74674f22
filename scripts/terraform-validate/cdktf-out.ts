import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isRecord } from './schema';

export interface SynthesizedStack {
  name: string;
  /** The stack's `cdk.tf.json`. */
  configPath: string;
  /** The directory cdktf runs terraform in for this stack. */
  workingDirectory: string;
}

/** The stacks listed in a cdktf output directory's `manifest.json`. */
export function readSynthesizedStacks(outputDirectory: string): SynthesizedStack[] {
  const manifestPath = path.join(outputDirectory, 'manifest.json');
  const manifest: unknown = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const stacks = isRecord(manifest) && isRecord(manifest.stacks) ? manifest.stacks : undefined;
  if (stacks === undefined) throw new Error(`${manifestPath} has no \`stacks\` object`);
  return Object.entries(stacks).map(([name, stack]) => {
    const synthesizedStackPath = isRecord(stack) ? stack.synthesizedStackPath : undefined;
    const workingDirectory = isRecord(stack) ? stack.workingDirectory : undefined;
    if (typeof synthesizedStackPath !== 'string' || typeof workingDirectory !== 'string') {
      throw new Error(`${manifestPath}: stack \`${name}\` lacks synthesizedStackPath or workingDirectory`);
    }
    return {
      name,
      configPath: path.join(outputDirectory, synthesizedStackPath),
      workingDirectory: path.join(outputDirectory, workingDirectory),
    };
  });
}
