import { configDefaults, defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'stack',
    include: ['test/**/*.test.ts'],
    // The image replay runs an install and a build (minutes): `npm run test:docker` (vitest.docker.config.ts).
    exclude: [...configDefaults.exclude, 'test/docker-image.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
