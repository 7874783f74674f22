import { build } from 'esbuild';

/**
 * The plan review's CLI, as one file that plain `node` runs. Its tests spawn it about 30 times, as the
 * workflows run it; built once here (as app/build.ts builds the service), each run costs a third of the
 * CPU of compiling it with tsx every time.
 */
export const PLAN_REVIEW_CLI = 'node_modules/.cache/petstore-tests/plan-review.mjs';

export default async function bundleClis(): Promise<void> {
  await build({
    entryPoints: ['scripts/plan-review/cli.ts'],
    outfile: PLAN_REVIEW_CLI,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
}
