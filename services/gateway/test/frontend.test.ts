import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type EchoUpstream, startEchoUpstream, startGateway, type TestGateway } from './support.js';

let upstream: EchoUpstream;
let bundled: string;
let classic: string;
let empty: string;
const gateways: TestGateway[] = [];

async function gatewayWith(env: Record<string, string>, bundledFrontendDir: string): Promise<string> {
  const gateway = await startGateway(
    { AUTH_URL: upstream.url, USERS_URL: upstream.url, MESSAGES_URL: upstream.url, ...env },
    { bundledFrontendDir },
  );
  gateways.push(gateway);
  return gateway.url;
}

beforeAll(async () => {
  upstream = await startEchoUpstream('any');
  const base = await mkdtemp(path.join(tmpdir(), 'gateway-frontend-default-test-'));
  bundled = path.join(base, 'bundled');
  classic = path.join(base, 'classic');
  empty = path.join(base, 'empty');
  await mkdir(path.join(bundled, 'assets'), { recursive: true });
  await writeFile(path.join(bundled, 'index.html'), '<!doctype html><title>bundled client</title>');
  await writeFile(path.join(bundled, 'assets', 'index-abc123.js'), 'console.log("bundled");');
  await mkdir(classic, { recursive: true });
  await writeFile(path.join(classic, 'index.html'), '<!doctype html><title>classic client</title>');
  await mkdir(empty, { recursive: true });
});

afterAll(async () => {
  for (const gateway of gateways) await gateway.stop();
  await upstream?.close();
  if (bundled) await rm(path.dirname(bundled), { recursive: true, force: true });
});

describe('the bundled web client', () => {
  test('is served at / by default, index.html revalidated and hashed assets cached for a year', async () => {
    const url = await gatewayWith({}, bundled);
    const index = await fetch(`${url}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('bundled client');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const route = await fetch(`${url}/chat/someone`, { headers: { accept: 'text/html' } });
    expect(await route.text()).toContain('bundled client');
    expect(route.headers.get('cache-control')).toBe('no-cache');
    const asset = await fetch(`${url}/assets/index-abc123.js`);
    expect(await asset.text()).toContain('bundled');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  test("the gateway's own endpoints are never taken by the client's fallback", async () => {
    const url = await gatewayWith({}, bundled);
    for (const path of ['/metrics', '/readyz/', '/healthz']) {
      const res = await fetch(`${url}${path}`, { headers: { accept: 'text/html' } });
      expect(await res.text()).not.toContain('bundled client');
    }
  });

  test('FRONTEND_DIR overrides it', async () => {
    const url = await gatewayWith({ FRONTEND_DIR: classic }, bundled);
    expect(await (await fetch(`${url}/`)).text()).toContain('classic client');
    const asset = await fetch(`${url}/assets/index-abc123.js`, { headers: { accept: 'application/json' } });
    expect(asset.status).toBe(404);
  });

  test('when the client was not built, nothing is served at / (API only)', async () => {
    const url = await gatewayWith({}, empty);
    const res = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'HTTP.NOT_FOUND' });
  });

  test('the CSP allows same-origin scripts, sockets and avatars but no inline script', async () => {
    const url = await gatewayWith({}, bundled);
    const csp = (await fetch(`${url}/`)).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("'unsafe-inline'; script");
    expect(csp).toMatch(/connect-src 'self'/);
    expect(csp).toMatch(/img-src 'self'/);
  });
});
