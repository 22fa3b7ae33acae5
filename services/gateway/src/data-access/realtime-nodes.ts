import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Logger } from '@chat/shared/logger';

export interface NodeHealth {
  url: string;
  healthy: boolean;
}

export interface RealtimeNodePool {
  /** Resolves the node list and runs the first health round, then keeps both fresh in the background. */
  start(): Promise<void>;
  stop(): void;
  healthyNodes(): string[];
  /** Every resolved node, healthy or not. */
  knownNodes(): string[];
  /** Passive check: a node the proxy could not reach is skipped until its next successful health check. */
  markDown(url: string): void;
  status(): NodeHealth[];
}

export interface RealtimeNodePoolOptions {
  urls: readonly string[];
  healthIntervalMs: number;
  dnsIntervalMs: number;
  logger: Logger;
  /** Names the pool in logs (default `realtime`); the same pool serves the REST upstreams. */
  upstream?: string;
  /**
   * A keep-alive agent for the plain-http health checks (the proxy's): each check then reuses a connection
   * where it would open and close one per node and interval. Its owner destroys it on stop.
   */
  agent?: http.Agent;
}

function probe(url: string, timeoutMs: number, agent?: http.Agent, retried = false): Promise<boolean> {
  return new Promise((resolve) => {
    const secure = url.startsWith('https:');
    const client = secure ? https : http;
    // Without an agent, no keep-alive: the socket closes with the check.
    const options = { agent: (!secure && agent) || false, timeout: timeoutMs };
    const req = client.get(`${url}/healthz`, options, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy(new Error('health check timed out')));
    req.on('error', (err: NodeJS.ErrnoException) => {
      // A kept-alive connection the node closed just as the check went out says nothing about its health.
      if (req.reusedSocket && err.code === 'ECONNRESET' && !retried) {
        resolve(probe(url, timeoutMs, agent, true));
      } else resolve(false);
    });
  });
}

// One URL with a DNS name stands for every address it resolves to (e.g. a compose service with replicas).
async function resolveNodes(urls: readonly string[]): Promise<string[]> {
  const [only] = urls;
  if (urls.length !== 1 || only === undefined) return [...urls];
  const parsed = new URL(only);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return [only];
  const addresses = await lookup(host, { all: true });
  return addresses.map(({ address, family }) => {
    const node = new URL(only);
    node.hostname = family === 6 ? `[${address}]` : address;
    return node.origin;
  });
}

/**
 * The nodes of one upstream (realtime, or a REST service's replicas) the gateway may route to, with
 * background health checks of each node's /healthz.
 */
export function createRealtimeNodePool(opts: RealtimeNodePoolOptions): RealtimeNodePool {
  const upstream = opts.upstream ?? 'realtime';
  const health = new Map<string, boolean>();
  const timers: NodeJS.Timeout[] = [];
  const timeoutMs = Math.min(1_000, opts.healthIntervalMs);
  let checking = false;

  const refreshNodes = async (): Promise<void> => {
    try {
      const nodes = await resolveNodes(opts.urls);
      for (const node of health.keys()) if (!nodes.includes(node)) health.delete(node);
      for (const node of nodes) if (!health.has(node)) health.set(node, false);
    } catch (err) {
      // Keep the last known list: a DNS hiccup must not take every node away.
      opts.logger.warn({ err, upstream, urls: opts.urls }, 'upstream node resolution failed');
    }
  };

  const checkAll = async (): Promise<void> => {
    if (checking) return;
    checking = true;
    try {
      const nodes = [...health.keys()];
      const results = await Promise.all(nodes.map((node) => probe(node, timeoutMs, opts.agent)));
      nodes.forEach((node, i) => {
        const healthy = results[i] === true;
        if (health.has(node) && health.get(node) !== healthy) {
          opts.logger.info({ node, upstream, healthy }, 'upstream node health changed');
        }
        if (health.has(node)) health.set(node, healthy);
      });
    } finally {
      checking = false;
    }
  };

  return {
    async start() {
      await refreshNodes();
      await checkAll();
      timers.push(setInterval(() => void checkAll(), opts.healthIntervalMs));
      timers.push(setInterval(() => void refreshNodes(), opts.dnsIntervalMs));
    },
    stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
    },
    healthyNodes: () => [...health].filter(([, healthy]) => healthy).map(([node]) => node),
    knownNodes: () => [...health.keys()],
    markDown(url) {
      if (health.get(url) === true) {
        opts.logger.warn(
          { node: url, upstream },
          'upstream node unreachable, skipped until its next health check',
        );
        health.set(url, false);
      }
    },
    status: () => [...health].map(([url, healthy]) => ({ url, healthy })),
  };
}
