import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { deleteBrokerNamespace } from '@chat/shared/messaging';
import { parseShape, startStack } from '@chat/stack';
import type { BenchOptions } from './options.js';
import { findProcesses, type WatchedProcess } from './proc-stats.js';

/** The chat under test: its gateway, and (when the bench started it) its processes. */
export interface Target {
  url: string;
  /** Where capacity sockets connect (one realtime node when known, else the gateway) and that node's pid. */
  capacityNode(): { url: string; pid?: number };
  /** Processes to measure: every service, MongoDB, Redis, RabbitMQ and the bench itself. */
  processes(): WatchedProcess[];
  /** Stops one realtime node (for the scale-out run); undefined when the stack is not ours. */
  stopRealtimeNode?: (name: string) => Promise<void>;
  /** Error-level log lines the services printed. */
  errorLines(): string[];
  stop(): Promise<void>;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const NO_LIMIT = '1000000000';

function infrastructure(): WatchedProcess[] {
  return [
    ...findProcesses('redis-server', 'redis'),
    ...findProcesses('beam.smp', 'rabbitmq'),
    { name: 'bench (load generator)', pid: process.pid },
  ];
}

/** The gateway at `url`, not ours: only the bench and the local infrastructure are measured. */
export function attachTarget(url: string): Target {
  return {
    url,
    capacityNode: () => ({ url }),
    processes: infrastructure,
    errorLines: () => [],
    stop: async () => {},
  };
}

/** Starts the embedded MongoDB in its own process, so its CPU is measured apart from the bench's. */
async function spawnMongo(options: BenchOptions): Promise<{ uri: string; child: ChildProcess }> {
  // Profiled like the services: with the embedded server, much of a request's cost is spent there.
  const env = options.cpuProf ? { ...process.env, ...profilerEnv(options) } : process.env;
  const child = spawn(process.execPath, [path.join(root, 'libs/embedded-mongo/dist/bin.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
  });
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  const uri = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`embedded MongoDB exited (${code})`)));
  });
  lines.close();
  return { uri, child };
}

function stackEnv(options: BenchOptions): Record<string, string> {
  const env: Record<string, string> = {
    LOG_LEVEL: 'warn',
    BCRYPT_COST: '10',
    AMQP_NAMESPACE: options.namespace,
    RATE_LIMIT_NAMESPACE: options.namespace,
    RATE_LIMIT_SIGNUP_PER_IP: NO_LIMIT,
    RATE_LIMIT_SIGNUP_PER_USERNAME: NO_LIMIT,
    RATE_LIMIT_LOGIN_PER_IP: NO_LIMIT,
    RATE_LIMIT_LOGIN_PER_USERNAME_IP: NO_LIMIT,
    RATE_LIMIT_LOGIN_PER_USERNAME: NO_LIMIT,
    RATE_LIMIT_API_PER_USER: NO_LIMIT,
    // The capacity test opens many sockets per user from one address; the busy test toggles statuses.
    SOCKETS_PER_USER: NO_LIMIT,
    HANDSHAKES_PER_USER: NO_LIMIT,
    HANDSHAKES_PER_IP: NO_LIMIT,
    STATUS_CHANGES_PER_USER: NO_LIMIT,
    // A stopped node leaves the gateway's rotation quickly.
    REALTIME_HEALTH_INTERVAL_MS: '500',
  };
  const queues = options.replicas ? parseShape(options.replicas).queues : undefined;
  if (queues) env.DELIVERY_QUEUES = String(queues);
  return options.cpuProf ? { ...env, ...profilerEnv(options) } : env;
}

function profilerEnv(options: BenchOptions): Record<string, string> {
  return {
    NODE_OPTIONS: `--import=${path.join(path.dirname(fileURLToPath(import.meta.url)), 'cpu-profiler.js')}`,
    BENCH_CPU_PROF_DIR: path.resolve(options.outDir, 'profiles'),
  };
}

/** Starts the whole stack (two realtime nodes) as local processes, with limits raised for the bench. */
export async function startTarget(options: BenchOptions, log: (line: string) => void): Promise<Target> {
  const mongo = options.mongoUrl ? undefined : await spawnMongo(options);
  const errors: string[] = [];
  const stack = await startStack({
    gatewayPort: 0,
    replicas: { realtime: 2, ...(options.replicas ? parseShape(options.replicas).replicas : {}) },
    redisUrl: REDIS_URL,
    amqpUrl: AMQP_URL,
    mongoUrl: options.mongoUrl ?? mongo?.uri,
    databasePrefix: `${options.namespace}-`,
    // The run's keys (delivery marks, sequences, rate-limit windows) are of no use once it ends.
    redisPrefix: `${options.namespace}:`,
    discardRedisKeys: true,
    env: stackEnv(options),
    log: (line) => {
      if (/"level":(50|60)/.test(line)) errors.push(line);
      log(line);
    },
  }).catch(async (error: unknown) => {
    mongo?.child.kill('SIGTERM');
    throw error;
  });
  const processes = (): WatchedProcess[] => [
    ...stack.services
      .filter((s) => s.child.pid !== undefined && s.child.exitCode === null && s.child.signalCode === null)
      .map((s) => ({ name: s.spec.name, pid: s.child.pid ?? 0 })),
    ...(mongo?.child.pid ? [{ name: 'mongodb (embedded)', pid: mongo.child.pid }] : []),
    ...infrastructure(),
  ];
  return {
    url: stack.url.replace('localhost', '127.0.0.1'),
    capacityNode: () => {
      const node = stack.service('realtime-1');
      return { url: node.url, pid: node.child.pid };
    },
    processes,
    stopRealtimeNode: async (name) => {
      const node = stack.service(name);
      node.child.kill('SIGTERM');
      await node.exited;
    },
    errorLines: () => errors,
    stop: async () => {
      await stack.stop();
      if (mongo) {
        mongo.child.kill('SIGTERM');
        if (mongo.child.exitCode === null) await new Promise((resolve) => mongo.child.once('exit', resolve));
      }
      await deleteBrokerNamespace(AMQP_URL, options.namespace);
    },
  };
}
