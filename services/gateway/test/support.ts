import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '@chat/shared/config';
import { createLogger } from '@chat/shared/logger';
import { bearerFor, TEST_SECRETS, testEnv, uniqueName, useStarted } from '@chat/shared/testing';
import express from 'express';
import { Server as SocketServer } from 'socket.io';
import { createApp, type GatewayOverrides } from '../src/app.js';
import { configSchema } from '../src/config.js';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface EchoUpstream {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A fake service: records every request and answers with what it received (method, path, headers, body). */
export async function startEchoUpstream(name: string): Promise<EchoUpstream> {
  const requests: RecordedRequest[] = [];
  const app = express();
  // Like a real service: the gateway's health checks are answered, not recorded.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(express.raw({ type: () => true, limit: '10mb' }));
  app.use((req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const recorded = { method: req.method, path: req.originalUrl, headers: req.headers, body };
    requests.push(recorded);
    res.setHeader('x-powered-by', 'upstream');
    res.setHeader('access-control-allow-origin', '*');
    res.json({ upstream: name, ...recorded });
  });
  const server = createServer(app);
  const url = await listen(server);
  return { url, requests, close: () => close(server) };
}

export interface FakeRealtimeNode {
  url: string;
  setHealthy(healthy: boolean): void;
  /** Internal tokens seen in handshakes, in order. */
  handshakes: Array<{ internalToken: string | undefined; clientAddress: string | undefined }>;
  close(): Promise<void>;
}

/** A Socket.IO server on its own port with a /healthz whose answer the test controls; `whoami` acks its url. */
export async function startRealtimeNode(): Promise<FakeRealtimeNode> {
  let healthy = true;
  const handshakes: FakeRealtimeNode['handshakes'] = [];
  const server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: healthy ? 'ok' : 'down' }));
      return;
    }
    res.writeHead(404).end();
  });
  const io = new SocketServer(server);
  let closing: Promise<void> | undefined;
  const url = await listen(server);
  io.on('connection', (socket) => {
    const header = socket.handshake.headers['x-internal-token'];
    const address = socket.handshake.headers['x-client-address'];
    handshakes.push({
      internalToken: typeof header === 'string' ? header : undefined,
      clientAddress: typeof address === 'string' ? address : undefined,
    });
    socket.on('whoami', (ack: (reply: { node: string }) => void) => ack({ node: url }));
  });
  return {
    url,
    handshakes,
    setHealthy: (value) => {
      healthy = value;
    },
    // Idempotent: a test may kill a node early and afterAll closes it again.
    close: () => {
      closing ??= io.close().then(() => close(server));
      return closing;
    },
  };
}

export interface TestGateway {
  url: string;
  /** The INTERNAL_PORT listener (/metrics, detailed /readyz). */
  internalUrl: string;
  stop(): Promise<void>;
}

/** REDIS_PREFIX of the gateways this test file starts and of its own Redis clients (see realtime tests). */
export const REDIS_PREFIX = `${uniqueName('test-gateway')}:`;

/** A gateway on port 0 with test secrets, real Redis, a unique rate-limit namespace unless given one. */
export async function startGateway(
  env: Record<string, string>,
  overrides: Omit<GatewayOverrides, 'logger'> = {},
): Promise<TestGateway> {
  const config = loadConfig(configSchema, {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: testEnv().redisUrl,
    REDIS_PREFIX,
    JWT_SECRET: TEST_SECRETS.jwt,
    INTERNAL_TOKEN_SECRET: TEST_SECRETS.internal,
    RATE_LIMIT_NAMESPACE: uniqueName('test'),
    REALTIME_HEALTH_INTERVAL_MS: '200',
    INTERNAL_PORT: '0',
    ...env,
  });
  const app = createApp(config, {
    // Tests see the bundled client only when they ask for it: whether web/dist was built must not matter.
    bundledFrontendDir: path.join(tmpdir(), 'gateway-test-no-bundled-client'),
    ...overrides,
    logger: createLogger({ service: 'gateway-test', level: 'silent' }),
  });
  const { url, internalUrl } = await app.start();
  return { url, internalUrl: internalUrl ?? '', stop: () => app.stop() };
}

/** The Cookie header a browser logged in as `userId` would send, and the token's claims. */
export function cookieFor(userId: string): {
  cookie: string;
  claims: ReturnType<typeof bearerFor>['claims'];
} {
  const { token, claims } = bearerFor(userId);
  return { cookie: `jwt=${token}`, claims };
}

/** An address nothing listens on: connecting to it is refused at once. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await close(server);
  return url;
}

export { rawRequest, rawUpgrade } from '@chat/shared/testing';

/** AUTH_URL, USERS_URL and MESSAGES_URL: all on `auth`, or each on its own upstream. */
export function upstreamsAt(auth: string, users = auth, messages = users): Record<string, string> {
  return { AUTH_URL: auth, USERS_URL: users, MESSAGES_URL: messages };
}

/** An echo upstream around the tests of the calling file (or describe block). */
export function useEchoUpstream(name: string): EchoUpstream {
  return useStarted(
    `the upstream ${name}`,
    () => startEchoUpstream(name),
    (upstream) => upstream.close(),
  );
}

/**
 * A gateway around the tests of the calling file (or describe block); `env` is read when it starts, after
 * the upstreams registered before it.
 */
export function useGateway(
  env: () => Record<string, string> | Promise<Record<string, string>>,
  overrides: Omit<GatewayOverrides, 'logger'> = {},
): TestGateway {
  return useStarted(
    'the gateway',
    async () => startGateway(await env(), overrides),
    (gateway) => gateway.stop(),
  );
}
