import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'faults',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Every file starts a whole stack of processes; two at once on a small machine skew the timings.
    fileParallelism: false,
  },
});
