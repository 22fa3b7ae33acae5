import { createLogger } from '@chat/shared/logger';
import { createRedis, type Redis } from '@chat/shared/redis';
import { testEnv } from '@chat/shared/testing';
import { afterAll, beforeAll } from 'vitest';
import { createClientPool, type TestClient } from './clients.js';
import { type Cluster, newUser, REDIS_PREFIX, startCluster } from './nodes.js';

/** A Redis client under this file's REDIS_PREFIX (or `prefix`), to look at what the nodes stored. */
export function openRedis(name: string, prefix: string = REDIS_PREFIX): Redis {
  return createRedis(testEnv().redisUrl, {
    prefix,
    logger: createLogger({ service: name, level: 'silent' }),
    name,
  });
}

type Node = 'A' | 'B';

/** A fresh user (id and token) with one socket. */
export type ConnectedUser = ReturnType<typeof newUser> & { socket: TestClient };

export interface RealtimeCluster {
  /** Sockets opened through it are closed after the file. */
  clients: ReturnType<typeof createClientPool>;
  readonly cluster: Cluster;
  /** The URL of the first node. */
  readonly urlA: string;
  /** The URL of the second node (the first one again in a one-node cluster). */
  readonly urlB: string;
  /** A Redis client under the nodes' REDIS_PREFIX, opened on first use. */
  readonly redis: Redis;
  /** A fresh user connected to node A or B for each of `nodes`, in that order. */
  connectUsers<const T extends readonly Node[]>(...nodes: T): Promise<{ [K in keyof T]: ConnectedUser }>;
}

/**
 * Starts `size` realtime nodes (with `env` on top of the test settings) before the file's tests and closes
 * them, their sockets and the file's Redis client after them. The handles are read inside tests and hooks.
 */
export function useRealtimeCluster(env: Record<string, string> = {}, size = 2): RealtimeCluster {
  const clients = createClientPool();
  let cluster: Cluster | undefined;
  let redis: Redis | undefined;

  beforeAll(async () => {
    cluster = await startCluster(size, env);
  });

  afterAll(async () => {
    clients.closeAll();
    await cluster?.close();
    redis?.disconnect();
  });

  const started = (): Cluster => {
    if (!cluster) throw new Error('the cluster is used before it started');
    return cluster;
  };
  const urlOf = (index: number): string => {
    const { nodes } = started();
    const node = nodes[index % nodes.length];
    if (!node) throw new Error('the cluster has no node');
    return node.url;
  };

  return {
    clients,
    get cluster() {
      return started();
    },
    get urlA() {
      return urlOf(0);
    },
    get urlB() {
      return urlOf(1);
    },
    get redis() {
      redis ??= openRedis('realtime-test');
      return redis;
    },
    async connectUsers<const T extends readonly Node[]>(...nodes: T) {
      const users: ConnectedUser[] = [];
      for (const node of nodes) {
        const user = newUser();
        users.push({
          ...user,
          socket: await clients.connect(urlOf(node === 'A' ? 0 : 1), { token: user.token }),
        });
      }
      return users as { [K in keyof T]: ConnectedUser };
    },
  };
}
