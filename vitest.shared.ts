import { defineConfig } from 'vitest/config';

/** Tests run against the packages' TypeScript sources (the `@zai/source` export condition), no build needed. */
export default defineConfig({
  resolve: { conditions: ['@zai/source'] },
  ssr: { resolve: { conditions: ['@zai/source'] } },
  test: {
    testTimeout: 30_000,
  },
});
