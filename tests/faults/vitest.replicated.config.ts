import { defineProject } from 'vitest/config';

// The RabbitMQ cut and the realtime node kill again on the replicated shape (REPLICATED_SHAPE in
// tools/stack/src/stack.ts: two gateways, two of each service, three realtime nodes, four delivery queues).
// The files define their other scenarios on the default shape only (onDefaultShapeOnly).
export default defineProject({
  test: {
    name: 'faults-replicated',
    include: ['test/broker.test.ts', 'test/realtime.test.ts'],
    env: { STACK_SHAPE: 'replicated' },
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
