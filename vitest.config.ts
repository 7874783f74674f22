import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globals: true,
    include: ['__tests__/**/*.test.ts'],
    // Registers cdktf's Terraform matchers (toHaveResourceWithProperties, ...) on vitest's expect.
    setupFiles: ['__tests__/setup.ts'],
    // Synthesizing a stack and starting dynalite are CPU-bound; two cores, two workers.
    maxWorkers: 2,
    testTimeout: 20_000,
  },
});
