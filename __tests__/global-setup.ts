import { build } from 'esbuild';
import { findProviderMirror } from '../scripts/lib/terraform';

/**
 * The CLIs the tests spawn most (the plan review's about 30 times), each as one file that plain `node`
 * runs: built once here (as app/build.ts builds the service), a run costs a third of the CPU of
 * compiling it with tsx every time.
 */
const CLI_DIRECTORY = 'node_modules/.cache/petstore-tests';
const CLI_SOURCES = {
  'plan-review': 'scripts/plan-review/cli.ts',
  validate: 'scripts/terraform-validate/cli.ts',
  cost: 'scripts/cost/cli.ts',
};
export const CLI = Object.fromEntries(
  Object.keys(CLI_SOURCES).map((name) => [name, `${CLI_DIRECTORY}/${name}.mjs`]),
) as Record<keyof typeof CLI_SOURCES, string>;

export default async function setup(): Promise<void> {
  // Found once for every test that runs Terraform (the workers inherit it): without it, each run of a
  // CLI that needs the mirror searches the file system for it, about 3 CPU-seconds.
  process.env.TF_PROVIDER_MIRROR ??= findProviderMirror().directory;
  await build({
    entryPoints: CLI_SOURCES,
    outdir: CLI_DIRECTORY,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
}
