import { defineConfig } from 'vitest/config';

// One runner for every suite under test/: unit, integration (real HTTP servers on 127.0.0.1) and
// browser end-to-end (Debian chromium driven by playwright-core). Files run in parallel forks; the
// machine has two cores, so keep per-test work small and long runs in `npm run perf`.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
