import { createLogger } from '@chat/shared/logger';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRealtimeNodePool } from '../src/data-access/realtime-nodes.js';
import { type FakeRealtimeNode, startRealtimeNode } from './support.js';

let node: FakeRealtimeNode;

beforeAll(async () => {
  node = await startRealtimeNode();
});

afterAll(async () => {
  await node?.close();
});

describe('realtime node pool', () => {
  test('one URL with a DNS name stands for every address it resolves to', async () => {
    const port = new URL(node.url).port;
    const pool = createRealtimeNodePool({
      urls: [`http://localhost:${port}`],
      healthIntervalMs: 100,
      dnsIntervalMs: 1_000,
      logger: createLogger({ service: 'test', level: 'silent' }),
    });
    await pool.start();
    try {
      // localhost may also resolve to ::1, where this node does not listen: that address is simply unhealthy.
      expect(pool.status().map((n) => n.url)).toContain(`http://127.0.0.1:${port}`);
      expect(pool.healthyNodes()).toEqual([`http://127.0.0.1:${port}`]);
      pool.markDown(`http://127.0.0.1:${port}`);
      expect(pool.healthyNodes()).toEqual([]);
    } finally {
      pool.stop();
    }
  });
});
