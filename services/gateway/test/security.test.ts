import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newObjectId } from '@chat/shared/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cookieFor, upstreamsAt, useEchoUpstream, useGateway } from './support.js';

const ALLOWED = 'http://app.example.test';
let frontendDir: string;

beforeAll(async () => {
  frontendDir = await mkdtemp(path.join(tmpdir(), 'gateway-frontend-test-'));
  await writeFile(path.join(frontendDir, 'index.html'), '<!doctype html><title>chat spa</title>');
  await writeFile(path.join(frontendDir, 'app.js'), 'console.log("spa");');
});

afterAll(async () => {
  await rm(frontendDir, { recursive: true, force: true });
});

const upstream = useEchoUpstream('any');
const gateway = useGateway(() => ({
  ...upstreamsAt(upstream.url),
  CORS_ORIGINS: `${ALLOWED},http://localhost:5173`,
  FRONTEND_DIR: frontendDir,
}));

describe('cross-site protection', () => {
  test('a state-changing request from a foreign Origin is 403 and never reaches the upstream', async () => {
    const { cookie } = cookieFor(newObjectId());
    const before = upstream.requests.length;
    for (const path of [`/api/messages/send/${newObjectId()}`, '/api/auth/logout', '/api/auth/login']) {
      const res = await fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'hi', username: 'x' }),
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: 'Origin not allowed', code: 'GATEWAY.ORIGIN_NOT_ALLOWED' });
    }
    expect(upstream.requests.length).toBe(before);
  });

  test('an allowed Origin passes with credentialed CORS headers', async () => {
    const { cookie } = cookieFor(newObjectId());
    const res = await fetch(`${gateway.url}/api/messages/send/${newObjectId()}`, {
      method: 'POST',
      headers: { cookie, origin: ALLOWED, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hi' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  });

  test('the preflight answers an allowed Origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${gateway.url}/api/auth/login`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const allowed = await preflight(ALLOWED);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    const foreign = await preflight('https://evil.example');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('the gateway’s own origin and requests without Origin pass', async () => {
    const { cookie } = cookieFor(newObjectId());
    const ownOrigin = gateway.url;
    const variants: Array<Record<string, string>> = [{ cookie, origin: ownOrigin }, { cookie }];
    for (const headers of variants) {
      const res = await fetch(`${gateway.url}/api/auth/logout`, { method: 'POST', headers });
      expect(res.status).toBe(200);
    }
  });

  test('a GET from a foreign Origin is served without CORS headers (the browser hides the reply)', async () => {
    const { cookie } = cookieFor(newObjectId());
    const res = await fetch(`${gateway.url}/api/users`, {
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('frontend', () => {
  test('serves static files and index.html for client routes that accept HTML', async () => {
    const asset = await fetch(`${gateway.url}/app.js`);
    expect(await asset.text()).toContain('spa');
    const route = await fetch(`${gateway.url}/login`, { headers: { accept: 'text/html,*/*' } });
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('chat spa');
  });

  test('never falls back to index.html for /api or JSON requests', async () => {
    const api = await fetch(`${gateway.url}/api/unknown`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ code: 'HTTP.NOT_FOUND' });
    const json = await fetch(`${gateway.url}/some/route`, { headers: { accept: 'application/json' } });
    expect(json.status).toBe(404);
  });
});
