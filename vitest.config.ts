import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globals: true,
    include: ['__tests__/**/*.test.ts'],
    // Registers cdktf's Terraform matchers (toHaveResourceWithProperties, ...) on vitest's expect.
    setupFiles: ['__tests__/setup.ts'],
    globalSetup: ['__tests__/global-setup.ts'],
    // Two cores, but many files wait (on a child process, Terraform, a timer): three workers keep both busy;
    // a fourth only adds its own imports.
    maxWorkers: 3,
    // Each worker loads cdktf, the provider bindings and Fastify once, not once per file (half the CPU
    // of a run). The files share no state: each builds its own app, server and table.
    isolate: false,
    // cdktf 0.21 calls util.isArray when it synthesizes an output, which Node 22+ deprecates (DEP0044).
    execArgv: ['--disable-warning=DEP0044'],
    // A backstop against a hang, not a speed check: a file that runs Terraform takes seconds per provider
    // load, more while three other workers share the two cores.
    testTimeout: 60_000,
  },
});
