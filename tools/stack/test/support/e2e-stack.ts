import { randomBytes } from 'node:crypto';
import { deleteBrokerNamespace } from '@chat/shared/messaging';
import { testEnv, waitFor } from '@chat/shared/testing';
import { beforeEach } from 'vitest';
import { type RunningStack, shapeForTests, startStack } from '../../src/stack.js';
import { waitForValue } from './wait.js';

export interface E2eStack {
  stack: RunningStack;
  /** The gateway, the only address the tests talk to (also the browser's Origin). */
  url: string;
  /** Every service log line so far, printed only when a test fails. */
  logs: string[];
  realtimeNodes: string[];
  /** The AMQP_NAMESPACE of every service: a test listening on the events exchange uses it too. */
  namespace: string;
  /** The REDIS_PREFIX of every service: a test reading or writing their keys directly uses it too. */
  redisPrefix: string;
  /** Stops the stack and deletes its RabbitMQ exchanges and queues. */
  stop(): Promise<void>;
}

/**
 * One whole stack for a test file: its own databases, RabbitMQ namespace and rate-limit buckets, two realtime
 * nodes with short presence timings so a dead node's users lapse within seconds. `extraEnv` is given to every
 * service, after the settings above.
 */
export async function startE2eStack(nodes = 2, extraEnv: Record<string, string> = {}): Promise<E2eStack> {
  const id = randomBytes(4).toString('hex');
  const shape = shapeForTests(nodes);
  const realtimeNodes = shape.replicas.realtime ?? nodes;
  const logs: string[] = [];
  const env = testEnv();
  const namespace = `test-e2e-${id}`;
  const redisPrefix = `test-e2e-${id}:`;
  try {
    const stack = await startStack({
      gatewayPort: 0,
      replicas: shape.replicas,
      mongoUrl: env.mongoUrl,
      redisUrl: env.redisUrl,
      amqpUrl: env.amqpUrl,
      databasePrefix: `test-e2e-${id}-`,
      redisPrefix,
      discardRedisKeys: true,
      env: {
        AMQP_NAMESPACE: namespace,
        RATE_LIMIT_NAMESPACE: `test-e2e-${id}`,
        // Every test signs its own users up from the same IP.
        RATE_LIMIT_SIGNUP_PER_IP: '1000',
        LOG_LEVEL: 'warn',
        PRESENCE_TTL_MS: '3000',
        PRESENCE_REFRESH_MS: '1000',
        PRESENCE_SWEEP_MS: '500',
        REALTIME_HEALTH_INTERVAL_MS: '500',
        BCRYPT_COST: '10',
        ...shape.env,
        ...extraEnv,
      },
      log: (line) => logs.push(line),
    });
    const names = Array.from({ length: realtimeNodes }, (_, i) => `realtime-${i + 1}`);
    const stop = async () => {
      await stack.stop();
      await deleteBrokerNamespace(env.amqpUrl, namespace);
    };
    return { stack, url: stack.url, logs, realtimeNodes: names, namespace, redisPrefix, stop };
  } catch (error) {
    throw new Error(`the stack did not start: ${String(error)}\n${logs.join('\n')}`, { cause: error });
  }
}

/** Registers a hook printing the stack's log lines after any failing test of the file. */
export function printLogsOnFailure(current: () => E2eStack | undefined): void {
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      const logs = current()?.logs ?? [];
      console.error(`--- stack log (${logs.length} lines) ---\n${logs.join('\n')}`);
    });
  });
}

function isAlive(e2e: E2eStack, name: string): boolean {
  const { child } = e2e.stack.service(name);
  return child.exitCode === null && child.signalCode === null;
}

/** The `realtime_connected_sockets` gauge of every live realtime node, read from its /metrics. */
export async function socketsPerNode(e2e: E2eStack): Promise<Map<string, number>> {
  const live = e2e.realtimeNodes.filter((name) => isAlive(e2e, name));
  const counts = await Promise.all(
    live.map(async (name) => {
      const res = await fetch(`${e2e.stack.service(name).url}/metrics`);
      const text = await res.text();
      const match = /^realtime_connected_sockets(?:{[^}]*})? (\d+)/m.exec(text);
      if (!match?.[1]) throw new Error(`${name} /metrics has no realtime_connected_sockets`);
      return [name, Number(match[1])] as const;
    }),
  );
  return new Map(counts);
}

/** Waits until the live realtime nodes hold `total` sockets between them. */
export async function waitForSocketTotal(e2e: E2eStack, total: number): Promise<void> {
  let last = -1;
  await waitFor(
    async () => {
      last = [...(await socketsPerNode(e2e)).values()].reduce((sum, n) => sum + n, 0);
      return last === total;
    },
    { timeoutMs: 5_000, message: `realtime nodes should hold ${total} sockets (last seen ${last})` },
  );
}

/** Runs `connect` and answers which realtime node gained one socket meanwhile. */
export async function locate<T>(
  e2e: E2eStack,
  connect: () => Promise<T>,
): Promise<{ value: T; node: string }> {
  const before = await socketsPerNode(e2e);
  const value = await connect();
  const node = await waitForValue(
    async () => {
      const after = await socketsPerNode(e2e);
      return [...after].find(([name, count]) => count === (before.get(name) ?? 0) + 1)?.[0];
    },
    { timeoutMs: 3_000, message: 'no realtime node gained the socket' },
  );
  return { value, node };
}
