import { revokeToken, verifyInternalToken } from '@chat/shared/auth';
import { createLogger } from '@chat/shared/logger';
import { createRedis, type Redis } from '@chat/shared/redis';
import { bearerFor, newObjectId, TEST_SECRETS, testEnv, waitFor } from '@chat/shared/testing';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  cookieFor,
  deadUrl,
  type FakeRealtimeNode,
  REDIS_PREFIX,
  startGateway,
  startRealtimeNode,
  type TestGateway,
} from './support.js';

let nodes: FakeRealtimeNode[];
let gateway: TestGateway;
let noNodeGateway: TestGateway;
let redis: Redis;
const open: Socket[] = [];

beforeAll(async () => {
  nodes = await Promise.all([startRealtimeNode(), startRealtimeNode()]);
  const upstreams = await deadUrl();
  const base = { AUTH_URL: upstreams, USERS_URL: upstreams, MESSAGES_URL: upstreams };
  gateway = await startGateway({ ...base, REALTIME_URLS: nodes.map((n) => n.url).join(',') });
  noNodeGateway = await startGateway({ ...base, REALTIME_URLS: await deadUrl() });
  redis = createRedis(testEnv().redisUrl, {
    prefix: REDIS_PREFIX,
    logger: createLogger({ service: 'test', level: 'silent' }),
    name: 'test',
  });
});

afterEach(() => {
  for (const socket of open.splice(0)) socket.disconnect();
  for (const node of nodes) node.setHealthy(true);
});

afterAll(async () => {
  await Promise.all([gateway?.stop(), noNodeGateway?.stop()]);
  await Promise.all((nodes ?? []).map((node) => node.close()));
  redis?.disconnect();
});

type Options = Partial<ManagerOptions & SocketOptions>;

function connect(opts: Options): Promise<Socket> {
  const socket = io(gateway.url, { reconnection: false, forceNew: true, timeout: 5_000, ...opts });
  open.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(err));
  });
}

async function nodeOf(socket: Socket): Promise<string> {
  const reply = (await socket.timeout(5_000).emitWithAck('whoami')) as { node: string };
  return reply.node;
}

function asUser(userId: string, transports: Array<'websocket' | 'polling'> = ['websocket']): Options {
  return { transports, upgrade: false, extraHeaders: { cookie: cookieFor(userId).cookie } };
}

async function waitUntilHealthy(expected: string[]): Promise<void> {
  await waitFor(
    async () => {
      const body = (await (await fetch(`${gateway.internalUrl}/readyz`)).json()) as {
        realtimeNodes: Array<{ url: string; healthy: boolean }>;
      };
      const healthy = body.realtimeNodes
        .filter((n) => n.healthy)
        .map((n) => n.url)
        .sort();
      return JSON.stringify(healthy) === JSON.stringify([...expected].sort());
    },
    { timeoutMs: 5_000, message: `gateway never saw healthy nodes ${expected.join(', ')}` },
  );
}

describe('Socket.IO through the gateway', () => {
  test('a cookie user connects over websocket and polling, always to the same node', async () => {
    const userId = newObjectId();
    const ws = await connect(asUser(userId, ['websocket']));
    const polling = await connect(asUser(userId, ['polling']));
    const upgraded = await connect({ ...asUser(userId, ['polling', 'websocket']), upgrade: true });
    await waitFor(() => upgraded.io.engine.transport.name === 'websocket', {
      message: 'no upgrade to websocket',
    });
    const seen = await Promise.all([ws, polling, upgraded].map(nodeOf));
    expect(new Set(seen).size).toBe(1);
  });

  test('the node receives an internal caller token for the user, not a client-sent one', async () => {
    const userId = newObjectId();
    const socket = await connect({
      ...asUser(userId),
      extraHeaders: { cookie: cookieFor(userId).cookie, 'x-internal-token': 'forged' },
    });
    const home = await nodeOf(socket);
    const handshakes = nodes.find((n) => n.url === home)?.handshakes ?? [];
    const tokens = handshakes.map((h) => h.internalToken);
    expect(tokens).not.toContain('forged');
    const last = tokens.at(-1);
    if (!last) throw new Error('the node saw no internal token');
    expect(verifyInternalToken(last, TEST_SECRETS.internal).userId).toBe(userId);
  });

  test('different users spread over the nodes', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 12; i += 1) {
      const socket = await connect(asUser(newObjectId()));
      seen.add(await nodeOf(socket));
      socket.disconnect();
    }
    expect(seen.size).toBe(2);
  });

  test('non-browser clients may use Authorization: Bearer on the handshake, never ?token=', async () => {
    for (const transports of [['websocket'], ['polling']] as const) {
      await expect(
        connect({ transports: [...transports], query: { token: bearerFor(newObjectId()).token } }),
      ).rejects.toThrow();
    }
    const viaHeader = await connect({
      transports: ['websocket'],
      extraHeaders: { authorization: `Bearer ${bearerFor(newObjectId()).token}` },
    });
    expect(viaHeader.connected).toBe(true);
  });

  test("the node is told the client's address by the gateway, whatever the client claims", async () => {
    for (const transports of [['websocket'], ['polling']] as const) {
      const before = nodes.flatMap((node) => node.handshakes).length;
      const { cookie } = cookieFor(newObjectId());
      await connect({
        transports: [...transports],
        upgrade: false,
        extraHeaders: { cookie, 'x-client-address': '203.0.113.9' },
      });
      const seen = nodes.flatMap((node) => node.handshakes).slice(before);
      expect(seen.map((h) => h.clientAddress)).toEqual(['127.0.0.1']);
    }
  });

  test('a handshake without a token, with a revoked token or from a foreign Origin is refused', async () => {
    for (const transports of [['websocket'], ['polling']] as const) {
      await expect(connect({ transports: [...transports] })).rejects.toThrow();
      const { cookie, claims } = cookieFor(newObjectId());
      await revokeToken(redis, claims);
      await expect(connect({ transports: [...transports], extraHeaders: { cookie } })).rejects.toThrow();
      const fresh = cookieFor(newObjectId()).cookie;
      await expect(
        connect({
          transports: [...transports],
          extraHeaders: { cookie: fresh, origin: 'https://evil.example' },
        }),
      ).rejects.toThrow();
    }
    const polling = await fetch(`${gateway.url}/socket.io/?EIO=4&transport=polling`);
    expect(polling.status).toBe(401);
    expect(await polling.json()).toEqual({
      error: 'Unauthorized - No Token Provided',
      code: 'AUTH.NO_TOKEN',
    });
  });

  test('a node failing its health check is skipped and its users land on the other node', async () => {
    const userId = newObjectId();
    const first = await connect(asUser(userId));
    const home = await nodeOf(first);
    first.disconnect();
    const homeNode = nodes.find((n) => n.url === home);
    if (!homeNode) throw new Error('unknown node');
    homeNode.setHealthy(false);
    await waitUntilHealthy(nodes.filter((n) => n !== homeNode).map((n) => n.url));
    const moved = await connect(asUser(userId));
    expect(await nodeOf(moved)).not.toBe(home);
    homeNode.setHealthy(true);
    await waitUntilHealthy(nodes.map((n) => n.url));
    const back = await connect(asUser(userId));
    expect(await nodeOf(back)).toBe(home);
  });

  test('a node that stops answering is dropped at the first refused connection, before its health check', async () => {
    const pair = await Promise.all([startRealtimeNode(), startRealtimeNode()]);
    const slowChecks = await startGateway({
      REALTIME_URLS: pair.map((n) => n.url).join(','),
      REALTIME_HEALTH_INTERVAL_MS: '60000',
    });
    try {
      const userId = newObjectId();
      const dial = (): Promise<Socket> => {
        const socket = io(slowChecks.url, { reconnection: false, forceNew: true, ...asUser(userId) });
        open.push(socket);
        return new Promise((resolve, reject) => {
          socket.once('connect', () => resolve(socket));
          socket.once('connect_error', reject);
        });
      };
      const home = await nodeOf(await dial());
      const homeNode = pair.find((n) => n.url === home);
      if (!homeNode) throw new Error('unknown node');
      for (const socket of open.splice(0)) socket.disconnect();
      await homeNode.close();
      await expect(dial()).rejects.toThrow();
      expect(await nodeOf(await dial())).not.toBe(home);
    } finally {
      await slowChecks.stop();
      await Promise.all(pair.map((n) => n.close()));
    }
  });

  test('with no healthy node the handshake is a 503 JSON', async () => {
    const { cookie } = cookieFor(newObjectId());
    const res = await fetch(`${noNodeGateway.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { cookie },
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'Service unavailable', code: 'GATEWAY.NO_REALTIME_NODE' });
  });
});
