import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = path.dirname(fileURLToPath(import.meta.url));

// Outside the root projects: `npm run test:docker` replays the Dockerfile (an npm ci, a build, an install per
// image), too long for every `npm test`. The same global setup provides Redis, RabbitMQ and MongoDB.
export default defineConfig({
  test: {
    name: 'docker',
    root: here,
    include: ['test/docker-image.test.ts'],
    globalSetup: [path.join(here, '../../test/global-setup.ts')],
    environment: 'node',
    testTimeout: 180_000,
    // The replay itself runs in beforeAll.
    hookTimeout: 900_000,
  },
});
