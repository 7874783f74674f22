import { build, stop } from 'esbuild';

/**
 * The CLIs the tests spawn most (the plan review's about 30 times), each as one file that plain `node`
 * runs: built once here (as app/build.ts builds the service), a run costs about half the CPU of
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

export default async function bundleClis(): Promise<void> {
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
  // esbuild's service process would otherwise outlive the run's start.
  await stop();
}
