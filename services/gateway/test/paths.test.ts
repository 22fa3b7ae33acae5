import { newObjectId } from '@chat/shared/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  cookieFor,
  type EchoUpstream,
  type FakeRealtimeNode,
  rawRequest,
  rawUpgrade,
  startEchoUpstream,
  startGateway,
  startRealtimeNode,
  type TestGateway,
} from './support.js';

let auth: EchoUpstream;
let node: FakeRealtimeNode;
let gateway: TestGateway;

beforeAll(async () => {
  [auth, node] = await Promise.all([startEchoUpstream('auth'), startRealtimeNode()]);
  gateway = await startGateway({
    AUTH_URL: auth.url,
    USERS_URL: auth.url,
    MESSAGES_URL: auth.url,
    REALTIME_URLS: node.url,
  });
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([auth?.close(), node?.close()]);
});

const login = (path: string, username: string) =>
  rawRequest(gateway.url, {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'wrong-password' }),
  });

const INVALID_PATH = { error: 'Invalid request path', code: 'GATEWAY.INVALID_PATH' };

describe('path spellings the gateway and the proxy could read differently', () => {
  test('a backslash login is refused with 400 and never reaches the auth service', async () => {
    const username = `bs-${newObjectId()}`;
    const before = auth.requests.length;
    const replies = [];
    for (let i = 0; i < 8; i += 1) replies.push(await login('/api\\auth\\login', username));
    expect(replies.map((r) => r.status)).toEqual(Array(8).fill(400));
    expect(JSON.parse(replies[0]?.body ?? '')).toEqual(INVALID_PATH);
    expect(auth.requests.length - before).toBe(0);
  });

  test.each([
    '/api/auth%2flogin',
    '/api/auth%2Flogin',
    '/api%5cauth/login',
    '/api/auth/./login',
    '/api/x/../auth/login',
    '/api/x/%2e%2e/auth/login',
    '/api/x/.%2E/auth/login',
    '/api/auth/%2e/login',
    'http://gateway.example/api/auth/login',
  ])('%s is refused with 400', async (path) => {
    const before = auth.requests.length;
    const reply = await login(path, `p-${newObjectId()}`);
    expect({ status: reply.status, body: JSON.parse(reply.body) }).toEqual({
      status: 400,
      body: INVALID_PATH,
    });
    expect(auth.requests.length - before).toBe(0);
  });

  test('repeated slashes are collapsed: the upstream gets the path the limits were counted on', async () => {
    const reply = await login('/api//auth///login?x=1', `c-${newObjectId()}`);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).path).toBe('/api/auth/login?x=1');
  });

  test.each([
    '/x/../socket.io/?EIO=4&transport=websocket',
    '/socket.io\\?EIO=4&transport=websocket',
    '/%2e%2e/socket.io/?EIO=4&transport=websocket',
    '/api%2f../socket.io/?EIO=4&transport=websocket',
  ])('the upgrade %s is answered 400 and closed, not left hanging', async (path) => {
    const { cookie } = cookieFor(newObjectId());
    const reply = await rawUpgrade(gateway.url, path, { cookie });
    expect(reply.closed).toBe(true);
    expect(reply.statusLine).toMatch(/^HTTP\/1\.1 400 /);
    expect(reply.received).toContain('"code":"GATEWAY.INVALID_PATH"');
  });

  test('an upgrade on a path nothing serves is answered 404 and closed', async () => {
    const { cookie } = cookieFor(newObjectId());
    const reply = await rawUpgrade(gateway.url, '/api/users', { cookie });
    expect(reply.closed).toBe(true);
    expect(reply.statusLine).toMatch(/^HTTP\/1\.1 404 /);
  });

  test('the canonical upgrade path is still proxied to the realtime node', async () => {
    const { cookie } = cookieFor(newObjectId());
    const reply = await rawUpgrade(gateway.url, '/socket.io/?EIO=4&transport=websocket', { cookie }, 1_000);
    expect(reply.statusLine).toBe('HTTP/1.1 101 Switching Protocols');
    expect(reply.closed).toBe(false);
  });
});
