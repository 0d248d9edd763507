import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    // Kernel tests create network namespaces; run files one at a time so
    // their setup and cleanup never interleave.
    fileParallelism: false,
  },
});
