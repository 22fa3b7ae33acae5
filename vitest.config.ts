import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'libs/*',
      'services/*',
      'tools/*',
      'tests/*',
      'web',
      // The e2e suites and two fault scenarios on two of everything and three realtime nodes.
      'tools/stack/vitest.replicated.config.ts',
      'tests/faults/vitest.replicated.config.ts',
    ],
    globalSetup: ['./test/global-setup.ts'],
  },
});
