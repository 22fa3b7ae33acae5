import { signUserToken } from '@chat/shared/auth';
import { loadConfig } from '@chat/shared/config';
import { createLogger } from '@chat/shared/logger';
import { deleteBrokerNamespace } from '@chat/shared/messaging';
import { readPresence, redisKeys, type UserStatus } from '@chat/shared/redis';
import type { ClientToServerEvents, ServerToClientEvents } from '@chat/shared/sockets';
import { newObjectId, TEST_SECRETS, testEnv, uniqueName } from '@chat/shared/testing';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp, type RealtimeApp } from '../../../services/realtime/dist/app.js';
import { configSchema } from '../../../services/realtime/dist/config.js';
import { report } from '../src/report.js';
import { waitFor } from './support.js';

const TIMING = { PRESENCE_TTL_MS: '1500', PRESENCE_REFRESH_MS: '300', PRESENCE_SWEEP_MS: '200' };
const USERS = 4;
const NODES = 2;

interface RealNode {
  app: RealtimeApp;
  url: string;
}
interface RealSocket {
  user: number;
  node: number;
  socket: Socket<ServerToClientEvents, ClientToServerEvents>;
}
interface Real {
  nodes: RealNode[];
  sockets: RealSocket[];
}
interface Model {
  sockets: Array<{ user: number; node: number }>;
  status: UserStatus[];
  /** A crash leaves its users online until their score lapses; checks wait that long. */
  lapsing: boolean;
}

const namespace = uniqueName('test-faults-presence');
const logger = createLogger({ service: 'presence-model', level: 'silent' });
const userIds = Array.from({ length: USERS }, () => newObjectId());
const tokens = userIds.map((id) => signUserToken(id, TEST_SECRETS.jwt).token);
let redis: Redis;
const started: RealtimeApp[] = [];
let transitions = 0;

async function startNode(): Promise<RealNode> {
  const config = loadConfig(configSchema, {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: testEnv().redisUrl,
    AMQP_URL: testEnv().amqpUrl,
    AMQP_NAMESPACE: namespace,
    REDIS_PREFIX: `${namespace}:`,
    JWT_SECRET: TEST_SECRETS.jwt,
    NODE_ID: uniqueName('test-presence-node'),
    ...TIMING,
  });
  const app = createApp(config, { logger });
  started.push(app);
  const { url } = await app.start();
  return { app, url };
}

async function openSocket(url: string, user: number) {
  const socket: RealSocket['socket'] = io(url, {
    path: '/socket.io',
    forceNew: true,
    transports: ['websocket'],
    reconnection: false,
    auth: { token: tokens[user] },
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no greeting')), 5_000);
    socket.on('getOnlineUsers', (ids) => {
      if (!ids.includes(userIds[user] ?? '')) return;
      clearTimeout(timer);
      resolve();
    });
  });
  return socket;
}

/** After each step: "online" equals "has a socket on a live node", and status equals the last one set. */
async function converges(model: Model): Promise<void> {
  const expected = userIds.map((_, u) => model.sockets.some((s) => s.user === u));
  const ttl = Number(TIMING.PRESENCE_TTL_MS);
  await waitFor(
    async () => {
      const presence = await readPresence(redis, userIds);
      return userIds.every(
        (id, u) => presence.get(id)?.online === expected[u] && presence.get(id)?.status === model.status[u],
      );
    },
    { timeoutMs: model.lapsing ? ttl + 1_500 : 1_500, intervalMs: 50, message: 'presence did not converge' },
  );
  // A live connection must never read as offline, even for a moment.
  const presence = await readPresence(redis, userIds);
  for (const [u, online] of expected.entries())
    if (online) expect(presence.get(userIds[u] ?? '')?.online).toBe(true);
  model.lapsing = false;
  transitions++;
}

type Cmd = fc.AsyncCommand<Model, Real>;

const connect = (user: number, node: number): Cmd => ({
  check: () => true,
  async run(model, real) {
    const socket = await openSocket(real.nodes[node]?.url ?? '', user);
    real.sockets.push({ user, node, socket });
    model.sockets.push({ user, node });
    await converges(model);
  },
  toString: () => `connect(u${user}, n${node})`,
});

const disconnect = (index: number): Cmd => ({
  check: (model) => model.sockets.length > 0,
  async run(model, real) {
    const i = index % real.sockets.length;
    real.sockets.splice(i, 1)[0]?.socket.disconnect();
    model.sockets.splice(i, 1);
    await converges(model);
  },
  toString: () => `disconnect(#${index})`,
});

const crash = (node: number): Cmd => ({
  check: () => true,
  async run(model, real) {
    await real.nodes[node]?.app.kill();
    for (const s of real.sockets.filter((x) => x.node === node)) s.socket.disconnect();
    real.sockets = real.sockets.filter((s) => s.node !== node);
    model.sockets = model.sockets.filter((s) => s.node !== node);
    model.lapsing = true;
    real.nodes[node] = await startNode();
    await converges(model);
  },
  toString: () => `crash(n${node})`,
});

const tick = (): Cmd => ({
  check: () => true,
  async run(model) {
    await new Promise((resolve) => setTimeout(resolve, Number(TIMING.PRESENCE_SWEEP_MS) * 2));
    await converges(model);
  },
  toString: () => 'tick',
});

const setStatus = (user: number, status: UserStatus): Cmd => ({
  check: (model) => model.sockets.some((s) => s.user === user),
  async run(model, real) {
    const socket = real.sockets.find((s) => s.user === user)?.socket;
    const ack = await socket?.timeout(5_000).emitWithAck('setStatus', status);
    expect(ack?.ok).toBe(true);
    model.status[user] = status;
    await converges(model);
  },
  toString: () => `setStatus(u${user}, ${status})`,
});

const user = fc.integer({ min: 0, max: USERS - 1 });
const node = fc.integer({ min: 0, max: NODES - 1 });
const commands = fc.commands(
  [
    fc.tuple(user, node).map(([u, n]) => connect(u, n)),
    fc.nat().map(disconnect),
    node.map(crash),
    fc.constant(null).map(tick),
    fc.tuple(user, fc.constantFrom<UserStatus>('Available', 'Busy')).map(([u, s]) => setStatus(u, s)),
  ],
  { maxCommands: 12 },
);

beforeAll(() => {
  redis = new Redis(testEnv().redisUrl, { keyPrefix: `${namespace}:` });
});

afterAll(async () => {
  await Promise.allSettled(started.map((app) => app.stop()));
  redis?.disconnect();
  await deleteBrokerNamespace(testEnv().amqpUrl, namespace);
});

describe('scenario 6: presence under churn (model-based)', () => {
  test('after every step, online equals "has a live connection" and status is the last one set', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        runs++;
        const real: Real = { nodes: [], sockets: [] };
        for (let i = 0; i < NODES; i++) real.nodes.push(await startNode());
        // Each run starts from nobody online and everyone Available.
        const model: Model = { sockets: [], status: userIds.map(() => 'Available'), lapsing: false };
        await redis.hdel(redisKeys.status, ...userIds);
        try {
          await fc.asyncModelRun(() => ({ model, real }), cmds);
        } finally {
          for (const s of real.sockets) s.socket.disconnect();
          await Promise.all(real.nodes.map((n) => n.app.stop()));
          await waitFor(
            async () => [...(await readPresence(redis, userIds)).values()].every((p) => !p.online),
            {
              timeoutMs: 5_000,
            },
          );
        }
      }),
      { numRuns: 20 },
    );
    report('6-presence-model', { runs, checkedSteps: transitions, users: USERS, nodes: NODES });
  });
});
