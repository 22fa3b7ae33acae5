import { loadConfig } from '@chat/shared/config';
import { describe, expect, test } from 'vitest';
import { configSchema } from '../src/config.js';
import { clientKey } from '../src/domain/client-address.js';
import { isOriginAllowed } from '../src/domain/origin-policy.js';
import { pickRealtimeNode } from '../src/domain/pick-realtime-node.js';
import { canonicalTarget } from '../src/domain/request-target.js';
import { normalizePath, routePolicy } from '../src/domain/route-policy.js';

const NODES = ['http://10.0.0.1:5004', 'http://10.0.0.2:5004', 'http://10.0.0.3:5004'];
const USERS = Array.from({ length: 300 }, (_, i) => `user-${i}`);

describe('pickRealtimeNode (rendezvous hashing)', () => {
  test('is stable and independent of the order nodes are listed in', () => {
    for (const user of USERS.slice(0, 20)) {
      expect(pickRealtimeNode([...NODES].reverse(), user)).toBe(pickRealtimeNode(NODES, user));
    }
  });

  test('spreads users over every node', () => {
    const counts = new Map<string, number>();
    for (const user of USERS) {
      const node = pickRealtimeNode(NODES, user) ?? 'none';
      counts.set(node, (counts.get(node) ?? 0) + 1);
    }
    for (const node of NODES) expect(counts.get(node) ?? 0).toBeGreaterThan(60);
  });

  test('when a node leaves only its users move', () => {
    const [gone, ...rest] = NODES;
    for (const user of USERS) {
      const before = pickRealtimeNode(NODES, user);
      const after = pickRealtimeNode(rest, user);
      if (before !== gone) expect(after).toBe(before);
      else expect(rest).toContain(after);
    }
  });

  test('no node, no choice', () => {
    expect(pickRealtimeNode([], 'user')).toBeUndefined();
  });
});

describe('routePolicy', () => {
  test('normalizes case, repeated and trailing slashes', () => {
    expect(normalizePath('/API//Auth/Login/')).toBe('/api/auth/login');
    expect(normalizePath('/')).toBe('/');
  });

  test('classifies routes the way the upstream routers will match them', () => {
    expect(routePolicy('POST', '/api/auth/LOGIN/')).toMatchObject({
      upstream: 'auth',
      credentialLimit: 'login',
    });
    expect(routePolicy('POST', '/api/auth/signup')).toMatchObject({
      upstream: 'auth',
      credentialLimit: 'signup',
    });
    expect(routePolicy('GET', '/api/auth/login')?.credentialLimit).toBeUndefined();
    expect(routePolicy('GET', '/api/auth/Me')).toMatchObject({ upstream: 'auth', requiresAuth: true });
    expect(routePolicy('POST', '/api/auth/logout')).toMatchObject({ requiresAuth: true });
    expect(routePolicy('GET', '/api/auth/avatar/x.svg')).toMatchObject({
      upstream: 'auth',
      requiresAuth: false,
    });
    expect(routePolicy('GET', '/api/users')).toMatchObject({ upstream: 'users', requiresAuth: true });
    expect(routePolicy('GET', '/api/messages/abc')).toMatchObject({
      upstream: 'messages',
      requiresAuth: true,
    });
    expect(routePolicy('GET', '/socket.io/')).toMatchObject({ upstream: 'realtime', requiresAuth: true });
    expect(routePolicy('GET', '/api/Conversations/')).toMatchObject({
      upstream: 'messages',
      requiresAuth: true,
      userApiLimit: true,
    });
    expect(routePolicy('GET', '/api/usersx')).toBeUndefined();
    expect(routePolicy('GET', '/login')).toBeUndefined();
  });
});

describe('isOriginAllowed', () => {
  const allow = ['http://localhost:5173'];
  const check = (method: string, origin: string | undefined, isSocketHandshake = false) =>
    isOriginAllowed({ method, origin, host: 'chat.example:5000', isSocketHandshake }, allow);

  test('refuses unsafe methods and handshakes from foreign origins only', () => {
    expect(check('POST', 'https://evil.example')).toBe(false);
    expect(check('DELETE', 'null')).toBe(false);
    expect(check('GET', 'https://evil.example', true)).toBe(false);
    expect(check('GET', 'https://evil.example')).toBe(true);
    expect(check('POST', undefined)).toBe(true);
    expect(check('POST', 'http://localhost:5173')).toBe(true);
    expect(check('POST', 'http://chat.example:5000')).toBe(true);
  });
});

describe('clientKey', () => {
  test('IPv4 as is, IPv4-mapped IPv6 as IPv4, other IPv6 by /64', () => {
    expect(clientKey('192.0.2.1')).toBe('192.0.2.1');
    expect(clientKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientKey('::ffff:c000:201')).toBe('192.0.2.1');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('2001:db8:0:0:1:2:3:4')).toBe('2001:db8:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('not an address')).toBe('invalid');
  });
});

describe('TRUST_PROXY_HOPS', () => {
  const load = (value: string | undefined) =>
    loadConfig(configSchema, { NODE_ENV: 'development', TRUST_PROXY_HOPS: value }).TRUST_PROXY_HOPS;

  test('is a whole number of proxies from 0 to 10, 0 by default', () => {
    expect(load(undefined)).toBe(0);
    expect(load('')).toBe(0);
    expect(load('1')).toBe(1);
    expect(load('10')).toBe(10);
  });

  test.each(['-1', '1.5', ' ', 'true', '0x1', '1e0', '11', 'yes'])('refuses %j', (value) => {
    expect(() => load(value)).toThrow(/TRUST_PROXY_HOPS/);
  });
});

describe('canonicalTarget', () => {
  test('collapses repeated slashes and keeps case and query', () => {
    expect(canonicalTarget('//API//Users/?q=a%2Fb')).toEqual({
      ok: true,
      pathname: '/API/Users/',
      search: '?q=a%2Fb',
    });
  });

  test.each([
    ['/api\\auth\\login', 'backslash'],
    ['/api/auth%2flogin', 'encoded-separator'],
    ['/api%5Cauth', 'encoded-separator'],
    ['/api/../auth', 'dot-segment'],
    ['/api/%2E%2e/auth', 'dot-segment'],
    ['/.', 'dot-segment'],
    ['*', 'not-origin-form'],
    ['http://host/api', 'not-origin-form'],
  ])('refuses %j (%s)', (target, reason) => {
    expect(canonicalTarget(target)).toEqual({ ok: false, reason });
  });

  test('dots inside a segment are not dot segments', () => {
    expect(canonicalTarget('/api/auth/avatar/a..b.svg')).toMatchObject({ ok: true });
  });
});
