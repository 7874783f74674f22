import { Testing } from 'cdktf';

// cdktf ships Jest matchers; vitest's global `expect` has the same `extend` API.
Testing.setupJest();

interface CdktfMatchers<R = unknown> {
  toHaveResource(resourceConstructor: unknown): R;
  toHaveResourceWithProperties(resourceConstructor: unknown, properties: Record<string, unknown>): R;
  toHaveDataSource(dataSourceConstructor: unknown): R;
  toHaveDataSourceWithProperties(dataSourceConstructor: unknown, properties: Record<string, unknown>): R;
  toHaveProvider(providerConstructor: unknown): R;
  toHaveProviderWithProperties(providerConstructor: unknown, properties: Record<string, unknown>): R;
}

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: mirrors vitest's own Matchers<T = any>
  interface Matchers<T = any> extends CdktfMatchers<T> {}
}
