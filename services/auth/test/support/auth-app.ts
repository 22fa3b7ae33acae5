import { signInternalToken, USER_TOKEN, verifyUserToken } from '@chat/shared/auth';
import { loadConfig } from '@chat/shared/config';
import { deleteBrokerNamespace } from '@chat/shared/messaging';
import { TEST_SECRETS, testEnv, uniqueName } from '@chat/shared/testing';
import { type Collection, MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect } from 'vitest';
import { type App, type AppOverrides, createApp } from '../../src/app.js';
import { type Config, configSchema } from '../../src/config.js';

export interface RunningAuth {
  app: App;
  url: string;
  config: Config;
}

/** REDIS_PREFIX of the auth services this test file starts and of its own Redis clients. */
export const REDIS_PREFIX = `${uniqueName('test-auth')}:`;

/** AMQP namespace of the auth services this test file starts: their events stay off the production exchange. */
export const AMQP_NAMESPACE = uniqueName('test-auth');

// Registered when the file imports this module, so it runs after the file's other afterAll hooks (last in, first out).
afterAll(() => deleteBrokerNamespace(testEnv().amqpUrl, AMQP_NAMESPACE));

/** The auth app on a free port against the test Redis/RabbitMQ/MongoDB, in its own `test-auth-*` database. */
export async function startAuth(
  env: Record<string, string> = {},
  overrides: AppOverrides = { outboxIntervalMs: 200 },
): Promise<RunningAuth> {
  const { mongoUrl, redisUrl, amqpUrl } = testEnv();
  const config = loadConfig(configSchema, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    MONGO_URL: mongoUrl,
    MONGO_DB: uniqueName('test-auth'),
    REDIS_URL: redisUrl,
    REDIS_PREFIX,
    AMQP_URL: amqpUrl,
    AMQP_NAMESPACE,
    JWT_SECRET: TEST_SECRETS.jwt,
    INTERNAL_TOKEN_SECRET: TEST_SECRETS.internal,
    BCRYPT_COST: '10',
    ...env,
  });
  const app = createApp(config, overrides);
  const { url } = await app.start();
  return { app, url, config };
}

/** A direct view of the service's database, to check what was (not) written. */
export async function openDb(config: Config): Promise<{ users: Collection; close: () => Promise<void> }> {
  const client = await new MongoClient(config.MONGO_URL).connect();
  return { users: client.db(config.MONGO_DB).collection('users'), close: () => client.close() };
}

export interface AuthUnderTest {
  readonly url: string;
  readonly config: Config;
  /** The service's `users` collection, read directly. */
  readonly users: Collection;
}

/**
 * Starts an auth app (with `env` on top of the test settings) and a view of its database before the tests of
 * the calling file or describe block, and closes both after them. The handles are read inside tests and hooks.
 */
export function useAuth(env: Record<string, string> = {}): AuthUnderTest {
  let running: RunningAuth | undefined;
  let db: Awaited<ReturnType<typeof openDb>> | undefined;
  beforeAll(async () => {
    running = await startAuth(env);
    db = await openDb(running.config);
  });
  afterAll(async () => {
    await db?.close();
    await running?.app.stop();
  });
  const started = () => {
    if (!running || !db) throw new Error('the auth app is used before it started');
    return { ...running, users: db.users };
  };
  return {
    get url() {
      return started().url;
    },
    get config() {
      return started().config;
    },
    get users() {
      return started().users;
    },
  };
}

export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The `jwt` value from a response's Set-Cookie header. */
export function jwtFrom(res: Response): string {
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${USER_TOKEN.cookieName}=`));
  const value = cookie?.split(';')[0]?.slice(USER_TOKEN.cookieName.length + 1);
  if (!value) throw new Error('no jwt cookie in the response');
  return value;
}

/** What the gateway does with a cookie: verify the user token and mint the internal caller token. */
export function internalTokenFor(userToken: string): { internalToken: string; jti: string; exp: number } {
  const claims = verifyUserToken(userToken, TEST_SECRETS.jwt);
  const internalToken = signInternalToken(
    { userId: claims.sub, jti: claims.jti, tokenExp: claims.exp },
    TEST_SECRETS.internal,
  );
  return { internalToken, jti: claims.jti, exp: claims.exp };
}

let counter = 0;

/** A fresh valid signup body with a unique username. */
export function newSignup(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  const username = `u${counter}_${Math.random().toString(36).slice(2, 10)}`;
  return {
    fullName: 'Test User',
    username,
    password: 'secret-pass',
    confirmPassword: 'secret-pass',
    gender: 'female',
    ...overrides,
  };
}

export interface PublicUser {
  _id: string;
  fullName: string;
  username: string;
  profilePic: string;
}

export interface ErrorBody {
  error: string;
  code?: string;
}

/** The parsed JSON body, typed as the caller expects it (assertions check the actual shape). */
export async function bodyOf<T = ErrorBody>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** Signs a fresh user up on `auth` (with `overrides` in the body) and expects a 201. */
export async function signUpOn(
  auth: { url: string },
  overrides: Record<string, unknown> = {},
): Promise<{ user: PublicUser; body: Record<string, unknown>; res: Response }> {
  const body = newSignup(overrides);
  const res = await postJson(`${auth.url}/api/auth/signup`, body);
  expect(res.status).toBe(201);
  return { user: await bodyOf<PublicUser>(res), body, res };
}
