import { Agent, type IncomingMessage } from 'node:http';
import {
  createHttpService,
  createServiceApp,
  type HttpService,
  type ServiceApp,
  type ServiceContext,
} from '@chat/shared/http';
import type { Logger } from '@chat/shared/logger';
import { createRedis, pingRedis, type Redis } from '@chat/shared/redis';
import express, { type Express, type RequestHandler } from 'express';
import type { Config } from './config.js';
import { createRateLimitStore } from './data-access/rate-limit.store.js';
import { createRealtimeNodePool, type RealtimeNodePool } from './data-access/realtime-nodes.js';
import { createUpstreamPicker } from './domain/pick-upstream-node.js';
import type { RateLimitRules } from './domain/rate-limit-rules.js';
import { authenticate, forwardRequestId } from './entry-points/http/authenticate.middleware.js';
import { classifyRequest, routeOf } from './entry-points/http/classify.middleware.js';
import { docsRoutes } from './entry-points/http/docs.routes.js';
import { DOCS_BASE } from './entry-points/http/docs-page.js';
import {
  BUNDLED_FRONTEND_DIR,
  frontendDirToServe,
  frontendRoutes,
} from './entry-points/http/frontend.routes.js';
import type { IdentityOptions } from './entry-points/http/identity.js';
import { createUpstreamProxy } from './entry-points/http/proxy.routes.js';
import { rateLimit } from './entry-points/http/rate-limit.middleware.js';
import { createRealtimeProxy, type RealtimeProxy } from './entry-points/http/realtime.proxy.js';
import {
  corsForAllowList,
  limitDeclaredBody,
  refuseForeignOrigins,
  securityHeaders,
} from './entry-points/http/security.middleware.js';
import { createTokenCache } from './entry-points/http/token-cache.js';

export interface GatewayOverrides {
  logger?: Logger;
  /** Where the bundled client is looked for when `FRONTEND_DIR` is unset (tests point it elsewhere). */
  bundledFrontendDir?: string;
}

/** `start()` also gives `internalUrl`: the INTERNAL_PORT listener (/metrics, detailed /readyz), when configured. */
export type GatewayApp = ServiceApp;

function rateLimitRules(config: Readonly<Config>): RateLimitRules {
  return {
    loginPerIp: {
      bucket: 'login-ip',
      limit: config.RATE_LIMIT_LOGIN_PER_IP,
      windowMs: config.RATE_LIMIT_LOGIN_WINDOW_MS,
    },
    loginPerUsernameIp: {
      bucket: 'login-username-ip',
      limit: config.RATE_LIMIT_LOGIN_PER_USERNAME_IP,
      windowMs: config.RATE_LIMIT_LOGIN_WINDOW_MS,
    },
    loginPerUsername: {
      bucket: 'login-username',
      limit: config.RATE_LIMIT_LOGIN_PER_USERNAME,
      windowMs: config.RATE_LIMIT_LOGIN_WINDOW_MS,
    },
    signupPerIp: {
      bucket: 'signup-ip',
      limit: config.RATE_LIMIT_SIGNUP_PER_IP,
      windowMs: config.RATE_LIMIT_SIGNUP_WINDOW_MS,
    },
    signupPerUsername: {
      bucket: 'signup-username',
      limit: config.RATE_LIMIT_SIGNUP_PER_USERNAME,
      windowMs: config.RATE_LIMIT_SIGNUP_WINDOW_MS,
    },
    apiPerUser: {
      bucket: 'api-user',
      limit: config.RATE_LIMIT_API_PER_USER,
      windowMs: config.RATE_LIMIT_API_WINDOW_MS,
    },
  };
}

// Bodies are streamed to the upstreams; only login/signup are parsed, to rate-limit per username.
function parseCredentialBodies(limitBytes: number): RequestHandler {
  const json = express.json({ limit: limitBytes });
  return (req, res, next) => {
    if (!routeOf(req)?.credentialLimit) return next();
    json(req, res, next);
  };
}

type RestUpstream = 'auth' | 'users' | 'messages';

interface Parts {
  config: Readonly<Config>;
  upstreams: Record<RestUpstream, RealtimeNodePool>;
  logger: Logger;
  redis: Redis;
  identity: IdentityOptions;
  agent: Agent;
  realtime: RealtimeProxy;
  frontendDir: string | undefined;
}

/** Everything after the probes, in order: the checks, the proxies, the client. */
function mountRoutes(app: Express, parts: Parts): void {
  const { config, logger, redis, identity, agent, realtime, frontendDir, upstreams } = parts;
  app.set('trust proxy', config.TRUST_PROXY_HOPS);
  // One proxy for auth, users and messages: the request's classification names the upstream, and each
  // upstream's replicas take turns (the healthy ones; every known one while none is).
  const pickers = {
    auth: createUpstreamPicker(),
    users: createUpstreamPicker(),
    messages: createUpstreamPicker(),
  } satisfies Record<RestUpstream, unknown>;
  const targets = new WeakMap<IncomingMessage, { upstream: RestUpstream; node: string }>();
  const restProxy = createUpstreamProxy({
    upstreams: ['auth', 'users', 'messages'],
    target: (req) => {
      const upstream = routeOf(req)?.upstream;
      if (upstream !== 'auth' && upstream !== 'users' && upstream !== 'messages') return undefined;
      const pool = upstreams[upstream];
      const node = pickers[upstream](pool.healthyNodes(), pool.knownNodes());
      if (node) targets.set(req, { upstream, node });
      return node;
    },
    agent,
    timeoutMs: config.PROXY_TIMEOUT_MS,
    logger,
    onUnreachable: (req) => {
      const chosen = targets.get(req);
      if (chosen) upstreams[chosen.upstream].markDown(chosen.node);
    },
  });

  app.use(securityHeaders(config.NODE_ENV === 'production'), corsForAllowList(config.CORS_ORIGINS));
  app.use(refuseForeignOrigins(config.CORS_ORIGINS), limitDeclaredBody(config.BODY_LIMIT_BYTES));
  app.use(parseCredentialBodies(config.BODY_LIMIT_BYTES));
  const rules = rateLimitRules(config);
  app.use(
    authenticate({
      ...identity,
      apiLimit: { rule: rules.apiPerUser, namespace: config.RATE_LIMIT_NAMESPACE },
    }),
    rateLimit(createRateLimitStore(redis, config.RATE_LIMIT_NAMESPACE), rules),
  );
  app.use(DOCS_BASE, docsRoutes());
  app.use(restProxy);
  app.use(...realtime.http);
  if (frontendDir) app.use(frontendRoutes(frontendDir));
}

/** Opens Redis (not fatal: the gateway reports not-ready and ioredis keeps reconnecting) and the node pools. */
async function connectDependencies({ config, logger, onClose }: ServiceContext<Readonly<Config>>) {
  const redis = createRedis(config.REDIS_URL, {
    logger,
    name: 'gateway',
    lazy: true,
    prefix: config.REDIS_PREFIX,
    // Every request asks Redis one independent question: batched while one batch is on its way.
    autoPipelining: true,
  });
  onClose(async () => redis.disconnect());
  await redis.connect().catch((err: unknown) => logger.error({ err }, 'redis not reachable at start'));
  const agent = new Agent({ keepAlive: true });
  onClose(async () => agent.destroy());
  const pool = createRealtimeNodePool({
    urls: config.REALTIME_URLS,
    healthIntervalMs: config.REALTIME_HEALTH_INTERVAL_MS,
    dnsIntervalMs: config.REALTIME_DNS_INTERVAL_MS,
    logger,
    agent,
  });
  const upstreamPool = (upstream: RestUpstream, urls: readonly string[]) =>
    createRealtimeNodePool({
      urls,
      healthIntervalMs: config.UPSTREAM_HEALTH_INTERVAL_MS,
      dnsIntervalMs: config.UPSTREAM_DNS_INTERVAL_MS,
      logger,
      upstream,
      agent,
    });
  const upstreams: Record<RestUpstream, RealtimeNodePool> = {
    auth: upstreamPool('auth', config.AUTH_URL),
    users: upstreamPool('users', config.USERS_URL),
    messages: upstreamPool('messages', config.MESSAGES_URL),
  };
  const pools = [pool, ...Object.values(upstreams)];
  onClose(async () => {
    for (const p of pools) p.stop();
  });
  await Promise.all(pools.map((p) => p.start()));
  return { redis, agent, pool, upstreams };
}

async function buildService(
  ctx: ServiceContext<Readonly<Config>>,
  overrides: GatewayOverrides,
): Promise<HttpService> {
  const { config, logger } = ctx;
  const { redis, agent, pool, upstreams } = await connectDependencies(ctx);
  const identity: IdentityOptions = {
    redis,
    tokens: createTokenCache({
      jwtSecret: config.JWT_SECRET,
      internalTokenSecret: config.INTERNAL_TOKEN_SECRET,
    }),
  };
  const realtime = createRealtimeProxy({
    pool,
    identity,
    allowedOrigins: config.CORS_ORIGINS,
    agent,
    timeoutMs: config.REALTIME_PROXY_TIMEOUT_MS,
    logger,
  });
  const frontendDir = frontendDirToServe(
    config.FRONTEND_DIR,
    overrides.bundledFrontendDir ?? BUNDLED_FRONTEND_DIR,
  );
  return createHttpService({
    name: 'gateway',
    logger,
    // Bodies are streamed to the upstreams (see parseCredentialBodies).
    jsonLimit: false,
    first: [classifyRequest, forwardRequestId],
    // The public port tells nothing about the inside: /metrics and node addresses are for INTERNAL_PORT.
    probes: 'internal',
    readiness: { redis: () => pingRedis(redis) },
    // REST keeps working without realtime nodes, so they are reported, not required.
    reportedChecks: {
      realtime: () => {
        if (!pool.status().some((node) => node.healthy)) throw new Error('no healthy realtime node');
      },
    },
    readinessDetails: () => ({ realtimeNodes: pool.status() }),
    onUpgrade: (req, socket, head) => void realtime.upgrade(req, socket, head),
    routes: (app) =>
      mountRoutes(app, { config, logger, redis, identity, agent, realtime, frontendDir, upstreams }),
  });
}

/** The public door: authentication, rate limits, CORS/Origin checks and proxying to every service. */
export function createApp(config: Readonly<Config>, overrides: GatewayOverrides = {}): GatewayApp {
  const internal =
    config.INTERNAL_PORT === undefined
      ? undefined
      : { port: config.INTERNAL_PORT, host: config.INTERNAL_HOST ?? config.HOST };
  return createServiceApp({
    name: 'gateway',
    config,
    logger: overrides.logger,
    internal,
    build: (ctx) => buildService(ctx, overrides),
  });
}
