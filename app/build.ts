import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';

/** How every server is bundled: the service here, and its comparisons in the benchmark. */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  // The project's one Node line: the image's, and the `node` package every npm script runs on.
  target: 'node26',
  // Prefer the AWS SDK's ES module builds, which tree-shake far better than its CommonJS ones.
  mainFields: ['module', 'main'],
  // Fastify and pino are CommonJS and call require() for Node's built-ins; ESM has no require.
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  // Whitespace and syntax only: keeping identifiers leaves logged stack traces readable, and
  // measured faster to start than mangled names plus esbuild's keepNames.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
} as const satisfies BuildOptions;

/**
 * Bundles the service into `<outdir>/server.js` (and the container health check into
 * `healthcheck.js`): one ESM file each that runs with plain `node`, no node_modules, which is
 * all the image ships.
 */
export async function bundleService(outdir: string): Promise<void> {
  await build({
    ...BUNDLE_OPTIONS,
    entryPoints: {
      server: fileURLToPath(new URL('./server.ts', import.meta.url)),
      healthcheck: fileURLToPath(new URL('./healthcheck.ts', import.meta.url)),
    },
    outdir,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundleService(fileURLToPath(new URL('./dist', import.meta.url)));
}
