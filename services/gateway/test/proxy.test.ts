import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyInternalToken } from '@chat/shared/auth';
import { newObjectId, TEST_SECRETS } from '@chat/shared/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cookieFor, deadUrl, upstreamsAt, useEchoUpstream, useGateway } from './support.js';

let hanging: Server;

beforeAll(async () => {
  // Accepts connections and never answers.
  hanging = createServer(() => {});
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  hanging?.closeAllConnections();
  await new Promise((resolve) => hanging?.close(resolve));
});

const auth = useEchoUpstream('auth');
const users = useEchoUpstream('users');
const messages = useEchoUpstream('messages');
const gateway = useGateway(() => upstreamsAt(auth.url, users.url, messages.url));
const downGateway = useGateway(async () => upstreamsAt(await deadUrl()));
const slowGateway = useGateway(() => ({
  ...upstreamsAt(`http://127.0.0.1:${(hanging.address() as AddressInfo).port}`),
  PROXY_TIMEOUT_MS: '300',
}));

interface Echo {
  upstream: string;
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  body: string;
}

describe('proxy routes', () => {
  test('each prefix reaches its upstream with the path and query unchanged', async () => {
    const { cookie } = cookieFor(newObjectId());
    const cases = [
      { path: '/api/auth/signup?x=1', upstream: 'auth' },
      { path: '/api/users?q=ann', upstream: 'users' },
      { path: '/api/users/search/x', upstream: 'users' },
      { path: `/api/messages/${newObjectId()}?limit=5`, upstream: 'messages' },
    ];
    for (const { path, upstream } of cases) {
      const res = await fetch(`${gateway.url}${path}`, { headers: { cookie } });
      expect(res.status).toBe(200);
      const echo = (await res.json()) as Echo;
      expect({ upstream: echo.upstream, path: echo.path }).toEqual({ upstream, path });
    }
  });

  test('a message body is streamed to the upstream byte for byte', async () => {
    const { cookie } = cookieFor(newObjectId());
    const body = '{"message":  "héllo wörld ✓"}';
    const res = await fetch(`${gateway.url}/api/messages/send/${newObjectId()}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'idempotency-key': 'k-1' },
      body,
    });
    const echo = (await res.json()) as Echo;
    expect(echo.method).toBe('POST');
    expect(echo.body).toBe(body);
    expect(echo.headers['idempotency-key']).toBe('k-1');
  });

  test('the login body parsed for rate limiting is re-streamed to auth intact', async () => {
    const credentials = { username: `user-${newObjectId()}`, password: 'pässword 123' };
    const res = await fetch(`${gateway.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(credentials),
    });
    const echo = (await res.json()) as Echo;
    expect(echo.upstream).toBe('auth');
    expect(JSON.parse(echo.body)).toEqual(credentials);
    expect(Number(echo.headers['content-length'])).toBe(Buffer.byteLength(echo.body));
  });

  test('client identity headers are stripped; the upstream gets only the gateway token for the cookie user', async () => {
    const userId = newObjectId();
    const { cookie, claims } = cookieFor(userId);
    const res = await fetch(`${gateway.url}/api/users`, {
      headers: { cookie, 'x-internal-token': 'forged', 'x-user-id': newObjectId(), 'x-caller': 'admin' },
    });
    const echo = (await res.json()) as Echo;
    expect(echo.headers['x-user-id']).toBeUndefined();
    expect(echo.headers['x-caller']).toBeUndefined();
    const caller = verifyInternalToken(String(echo.headers['x-internal-token']), TEST_SECRETS.internal);
    expect(caller).toEqual({ userId, jti: claims.jti, tokenExp: claims.exp });
  });

  test('public routes are stripped too and carry no identity', async () => {
    const res = await fetch(`${gateway.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-internal-token': 'forged', 'x-user-id': 'x' },
      body: JSON.stringify({ username: `u-${newObjectId()}` }),
    });
    const echo = (await res.json()) as Echo;
    expect(echo.headers['x-internal-token']).toBeUndefined();
    expect(echo.headers['x-user-id']).toBeUndefined();
  });

  test('x-request-id is forwarded and echoed; upstream x-powered-by and CORS headers are dropped', async () => {
    const res = await fetch(`${gateway.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'x-request-id': 'req-123', 'content-type': 'application/json' },
      body: JSON.stringify({ username: `u-${newObjectId()}`, password: 'x' }),
    });
    const echo = (await res.json()) as Echo;
    expect(echo.headers['x-request-id']).toBe('req-123');
    expect(res.headers.get('x-request-id')).toBe('req-123');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('helmet headers are set', async () => {
    const res = await fetch(`${gateway.url}/healthz`);
    expect(await res.json()).toEqual({ status: 'ok' });
    const proxied = await fetch(`${gateway.url}/api/auth/anything`);
    expect(proxied.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(proxied.headers.get('x-content-type-options')).toBe('nosniff');
  });

  test('a 200 kB body is refused with 413 JSON before reaching the upstream', async () => {
    const { cookie } = cookieFor(newObjectId());
    const before = messages.requests.length;
    const big = JSON.stringify({ message: 'x'.repeat(200 * 1024) });
    for (const path of [`/api/messages/send/${newObjectId()}`, '/api/auth/login']) {
      const res = await fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: big,
      });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: 'Request body too large' });
    }
    expect(messages.requests.length).toBe(before);
  });

  test('unknown paths get the JSON 404', async () => {
    const res = await fetch(`${gateway.url}/api/nothing-here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'Not found', code: 'HTTP.NOT_FOUND' });
  });
});

describe('upstream down', () => {
  test('answers 502 JSON quickly instead of hanging', async () => {
    const { cookie } = cookieFor(newObjectId());
    for (const path of ['/api/users', '/api/auth/login']) {
      const started = Date.now();
      const res = await fetch(`${downGateway.url}${path}`, {
        method: path.endsWith('login') ? 'POST' : 'GET',
        headers: { cookie, 'content-type': 'application/json' },
        body: path.endsWith('login')
          ? JSON.stringify({ username: `u-${newObjectId()}`, password: 'x' })
          : undefined,
      });
      expect(res.status).toBe(502);
      expect(await res.json()).toEqual({
        error: 'Service unavailable',
        code: 'GATEWAY.UPSTREAM_UNAVAILABLE',
      });
      expect(Date.now() - started).toBeLessThan(2_000);
    }
  });

  test('an upstream that accepts but never answers gives 503 after the proxy timeout', async () => {
    const { cookie } = cookieFor(newObjectId());
    const started = Date.now();
    const res = await fetch(`${slowGateway.url}/api/users`, { headers: { cookie } });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'Service unavailable', code: 'GATEWAY.UPSTREAM_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  test('readyz reports Redis up and the realtime node down', async () => {
    const res = await fetch(`${downGateway.internalUrl}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', checks: { redis: 'up', realtime: 'down' } });
  });
});

describe('internal endpoints', () => {
  test('the public port answers /healthz and a bare /readyz, never /metrics or node addresses', async () => {
    expect(await (await fetch(`${gateway.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${gateway.url}/readyz`);
    expect({ status: ready.status, body: await ready.json() }).toEqual({
      status: 200,
      body: { status: 'ready' },
    });
    const metrics = await fetch(`${gateway.url}/metrics`);
    expect(metrics.status).toBe(404);
    expect(await metrics.text()).not.toContain('http_request_duration_seconds');
  });

  test('the internal port serves /metrics and the detailed /readyz', async () => {
    const metrics = await fetch(`${gateway.internalUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('http_request_duration_seconds');
    const ready = (await (await fetch(`${gateway.internalUrl}/readyz`)).json()) as Record<string, unknown>;
    expect(ready).toMatchObject({ status: 'ready', checks: { redis: 'up' } });
    expect(Array.isArray(ready.realtimeNodes)).toBe(true);
    // It proxies nothing: the API is not reachable through it.
    expect((await fetch(`${gateway.internalUrl}/api/users`)).status).toBe(404);
  });
});
