import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedMongo } from '@chat/embedded-mongo';
import { freePortRange } from './ports.js';
import { assertReachable, infrastructure } from './reachability.js';
import {
  type ServiceProcess,
  type ServiceSpec,
  spawnService,
  stopService,
  waitUntilReady,
} from './service-process.js';

export { freePort, freePortRange } from './ports.js';
export { assertReachable, infrastructure, isReachable } from './reachability.js';
export type { ServiceProcess } from './service-process.js';

export interface StackOptions {
  /** Gateway port; 0 picks free ports for every service. Default 5000, the others follow (5001…). */
  gatewayPort?: number;
  realtimeNodes?: number;
  redisUrl?: string;
  amqpUrl?: string;
  /** MongoDB server; when unset an embedded MongoDB-wire-compatible server is started. */
  mongoUrl?: string;
  /** Prefix of the three database names (e.g. `test-e2e-x-` → `test-e2e-x-auth`). */
  databasePrefix?: string;
  /**
   * REDIS_PREFIX of every service: keys and channels of this stack. Default: unique per run
   * (`stack-<random>:`), so stacks sharing a Redis (tests, a bench, `npm start`) never cross-talk.
   */
  redisPrefix?: string;
  /** Extra environment for every service (secrets, log level, namespaces…). */
  env?: Record<string, string>;
  log?: (line: string) => void;
  readyTimeoutMs?: number;
}

export interface RunningStack {
  /** Where a browser or client reaches the chat (the gateway). */
  url: string;
  mongoUrl: string;
  services: ServiceProcess[];
  /** Finds a running service by name (`gateway`, `auth`, `users`, `messages`, `realtime-1`, …). */
  service(name: string): ServiceProcess;
  /** Stops every service (gateway first) and the embedded MongoDB, if any. */
  stop(): Promise<void>;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Starts the whole chat locally: every service as its own process, N realtime nodes, one gateway. */
export async function startStack(opts: StackOptions = {}): Promise<RunningStack> {
  const redisUrl = opts.redisUrl ?? 'redis://127.0.0.1:6379';
  const amqpUrl = opts.amqpUrl ?? 'amqp://guest:guest@127.0.0.1:5672';
  await assertReachable(infrastructure(redisUrl, amqpUrl));
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const mongo = opts.mongoUrl ? undefined : await startEmbeddedMongo();
  const mongoUrl = opts.mongoUrl ?? mongo?.uri ?? '';
  const ports = await allocatePorts(opts.gatewayPort ?? 5000, 4 + (opts.realtimeNodes ?? 2));
  const specs = serviceSpecs(
    ports,
    {
      redisUrl,
      amqpUrl,
      mongoUrl,
      prefix: opts.databasePrefix ?? '',
      redisPrefix: opts.redisPrefix ?? `stack-${randomBytes(4).toString('hex')}:`,
    },
    opts.env,
  );
  const services: ServiceProcess[] = [];
  const stop = async () => {
    for (const service of [...services].reverse()) await stopService(service);
    await mongo?.stop();
  };
  try {
    const backends = specs.filter((s) => s.name !== 'gateway').map((s) => spawnService(root, s, log));
    services.push(...backends);
    await Promise.all(backends.map((s) => waitUntilReady(s, opts.readyTimeoutMs ?? 60_000)));
    const gatewaySpec = specs.find((s) => s.name === 'gateway');
    if (!gatewaySpec) throw new Error('no gateway in the stack');
    const gateway = spawnService(root, gatewaySpec, log);
    services.push(gateway);
    await waitUntilReady(gateway, opts.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `http://localhost:${ports[0]}`,
    mongoUrl,
    services,
    service(name) {
      const found = services.find((s) => s.spec.name === name);
      if (!found) throw new Error(`no service named ${name}`);
      return found;
    },
    stop,
  };
}

interface Endpoints {
  redisUrl: string;
  amqpUrl: string;
  mongoUrl: string;
  prefix: string;
  redisPrefix: string;
}

function serviceSpecs(ports: number[], ep: Endpoints, extra: Record<string, string> = {}): ServiceSpec[] {
  const [gatewayPort = 0, authPort = 0, usersPort = 0, messagesPort = 0, ...realtimePorts] = ports;
  // The gateway forwards the browser's Origin on Socket.IO handshakes: the realtime nodes check it too.
  const corsOrigins = extra.CORS_ORIGINS ?? `http://localhost:${gatewayPort},http://127.0.0.1:${gatewayPort}`;
  const common = {
    // The local stack runs on the repository's development secrets, which production (the default) refuses.
    NODE_ENV: 'development',
    REDIS_URL: ep.redisUrl,
    REDIS_PREFIX: ep.redisPrefix,
    AMQP_URL: ep.amqpUrl,
    MONGO_URL: ep.mongoUrl,
    HOST: '127.0.0.1',
    ...extra,
  };
  const realtime = realtimePorts.map((port, i) => ({
    name: `realtime-${i + 1}`,
    workspace: 'realtime',
    port,
    env: {
      ...common,
      CORS_ORIGINS: corsOrigins,
      NODE_ID: `realtime-${i + 1}-${randomBytes(3).toString('hex')}`,
    },
  }));
  return [
    { name: 'auth', workspace: 'auth', port: authPort, env: { ...common, MONGO_DB: `${ep.prefix}auth` } },
    { name: 'users', workspace: 'users', port: usersPort, env: { ...common, MONGO_DB: `${ep.prefix}users` } },
    {
      name: 'messages',
      workspace: 'messages',
      port: messagesPort,
      env: { ...common, MONGO_DB: `${ep.prefix}messages` },
    },
    ...realtime,
    {
      name: 'gateway',
      workspace: 'gateway',
      port: gatewayPort,
      env: {
        ...common,
        AUTH_URL: `http://127.0.0.1:${authPort}`,
        USERS_URL: `http://127.0.0.1:${usersPort}`,
        MESSAGES_URL: `http://127.0.0.1:${messagesPort}`,
        REALTIME_URLS: realtimePorts.map((p) => `http://127.0.0.1:${p}`).join(','),
        CORS_ORIGINS: corsOrigins,
      },
    },
  ];
}

/** Consecutive ports from `first`, or free ones below the ephemeral range when `first` is 0. */
async function allocatePorts(first: number, count: number): Promise<number[]> {
  const from = first !== 0 ? first : await freePortRange(count);
  return Array.from({ length: count }, (_, i) => from + i);
}
