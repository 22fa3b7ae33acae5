import { configDefaults, defineProject } from 'vitest/config';

// The e2e suites again on the replicated shape (REPLICATED_SHAPE in src/stack.ts: two gateways, two of each
// service, three realtime nodes, four delivery queues). A root project, so `npm test` runs it.
export default defineProject({
  test: {
    name: 'stack-replicated',
    include: ['test/e2e*.test.ts'],
    exclude: [...configDefaults.exclude],
    env: { STACK_SHAPE: 'replicated' },
    environment: 'node',
    // Each file starts eleven processes: one file at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
