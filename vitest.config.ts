import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['libs/*', 'services/*', 'tools/*', 'tests/*', 'web'],
    globalSetup: ['./test/global-setup.ts'],
  },
});
