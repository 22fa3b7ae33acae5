import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['libs/*', 'services/*'],
    globalSetup: ['./test/global-setup.ts'],
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
