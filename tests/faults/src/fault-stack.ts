import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { deleteBrokerNamespace } from '@chat/shared/messaging';
import { startTcpProxy, type TcpProxy } from '@chat/shared/testing';
import { freePort, type RunningStack, type ServiceProcess, shapeForTests, startStack } from '@chat/stack';

export interface Infrastructure {
  mongoUrl: string;
  redisUrl: string;
  amqpUrl: string;
}

export interface FaultStackOptions {
  infra: Infrastructure;
  realtimeNodes?: number;
  /** Extra environment for every service (overrides the defaults below). */
  env?: Record<string, string>;
  /** Reuse the databases, namespaces and proxies of an earlier stack (restart-everything scenario). */
  reuse?: { id: string; proxies: Proxies };
}

export interface Proxies {
  redis: TcpProxy;
  amqp: TcpProxy;
  mongo: TcpProxy;
}

export interface FaultStack {
  /** Unique per stack: database prefix, AMQP namespace, Redis prefix and rate-limit namespace derive from it. */
  id: string;
  url: string;
  stack: RunningStack;
  proxies: Proxies;
  /** Environment every service got (secrets, namespaces, timings). */
  env: Record<string, string>;
  namespace: string;
  /** Every service log line so far. */
  logs: string[];
  /** SIGKILL a service and wait for it to be gone. */
  kill(name: string): Promise<void>;
  /** Spawn a replacement of `name` with the same spec (port, env) and wait until it is ready. */
  restart(name: string): Promise<ServiceProcess>;
  /** A second process with the spec of `name` on a new port (e.g. a second gateway), env overridable. */
  spawnCopy(name: string, newName: string, env?: Record<string, string>): Promise<ServiceProcess>;
  /** Services that exited although nobody stopped or killed them. */
  crashed(): string[];
  /** Stop the services (not the proxies); the databases stay, for a restart. */
  stopServices(): Promise<void>;
  /** Stop the services and close the proxies. */
  stop(): Promise<void>;
}

/** Secrets the fault stacks run with, so tests can forge tokens signed with the real key. */
export const STACK_SECRETS = {
  jwt: 'faults-jwt-secret-0123456789abcdef0123456789',
  internal: 'faults-internal-secret-0123456789abcdef012',
} as const;

function proxyTo(url: string): Promise<TcpProxy> {
  const parsed = new URL(url);
  return startTcpProxy(parsed.hostname, Number(parsed.port));
}

async function startProxies(infra: Infrastructure): Promise<Proxies> {
  const [redis, amqp, mongo] = await Promise.all([
    proxyTo(infra.redisUrl),
    proxyTo(infra.amqpUrl),
    proxyTo(infra.mongoUrl),
  ]);
  return { redis, amqp, mongo };
}

function defaultEnv(id: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    JWT_SECRET: STACK_SECRETS.jwt,
    INTERNAL_TOKEN_SECRET: STACK_SECRETS.internal,
    AMQP_NAMESPACE: `test-faults-${id}`,
    RATE_LIMIT_NAMESPACE: `test-faults-${id}`,
    REDIS_PREFIX: `test-faults-${id}:`,
    RATE_LIMIT_SIGNUP_PER_IP: '100000',
    RATE_LIMIT_API_PER_USER: '100000',
    // Load and model runs reconnect and flip statuses far faster than a person; the socket attack scenarios
    // start their stack with the real limits.
    HANDSHAKES_PER_USER: '100000',
    HANDSHAKES_PER_IP: '100000',
    STATUS_CHANGES_PER_USER: '100000',
    PRESENCE_TTL_MS: '3000',
    PRESENCE_REFRESH_MS: '1000',
    PRESENCE_SWEEP_MS: '500',
    REALTIME_HEALTH_INTERVAL_MS: '500',
    BCRYPT_COST: '10',
  };
}

/**
 * The whole stack as local processes (tools/stack), with Redis, RabbitMQ and MongoDB reached through fault
 * proxies owned by this stack, its own databases, AMQP namespace and rate-limit buckets.
 */
export async function startFaultStack(opts: FaultStackOptions): Promise<FaultStack> {
  const id = opts.reuse?.id ?? randomBytes(4).toString('hex');
  const proxies = opts.reuse?.proxies ?? (await startProxies(opts.infra));
  const logs: string[] = [];
  const shape = shapeForTests(opts.realtimeNodes ?? 2);
  const env = { ...defaultEnv(id), ...shape.env, ...opts.env };
  const stack = await startStack({
    gatewayPort: 0,
    replicas: shape.replicas,
    mongoUrl: proxies.mongo.urlFor(opts.infra.mongoUrl),
    redisUrl: proxies.redis.urlFor(opts.infra.redisUrl),
    amqpUrl: proxies.amqp.urlFor(opts.infra.amqpUrl),
    databasePrefix: `test-faults-${id}-`,
    env,
    log: (line) => logs.push(line),
  }).catch((err: unknown) => {
    throw new Error(`the stack did not start: ${String(err)}\n${logs.join('\n')}`, { cause: err });
  });
  // Processes we ended on purpose; any other exit is a crash.
  const ended = new Set<ChildProcess>();
  const stopServices = async () => {
    for (const service of stack.services) ended.add(service.child);
    await stack.stop();
  };
  return {
    id,
    url: stack.url,
    stack,
    proxies,
    env,
    namespace: env.AMQP_NAMESPACE ?? '',
    logs,
    async kill(name) {
      const service = stack.service(name);
      ended.add(service.child);
      service.child.kill('SIGKILL');
      await service.exited;
    },
    async restart(name) {
      const old = stack.service(name);
      if (old.child.exitCode === null && old.child.signalCode === null) {
        throw new Error(`${name} is still running`);
      }
      return stack.spawn(old.spec);
    },
    async spawnCopy(name, newName, env = {}) {
      const base = stack.service(name).spec;
      const spec = { ...base, env: { ...base.env, ...env }, name: newName, port: await freePort() };
      return stack.spawn(spec);
    },
    crashed: () =>
      stack.services
        .filter((s) => !ended.has(s.child) && (s.child.exitCode !== null || s.child.signalCode !== null))
        .map((s) => s.spec.name),
    stopServices,
    async stop() {
      await stopServices();
      await Promise.all(Object.values(proxies).map((proxy) => proxy.close()));
      if (env.AMQP_NAMESPACE) await deleteBrokerNamespace(opts.infra.amqpUrl, env.AMQP_NAMESPACE);
    },
  };
}
