import { openApiProblems, operationsOf } from '@chat/shared/testing';
import { describe, expect, test } from 'vitest';
import { API_ROUTES } from '../src/domain/openapi/api-routes.js';
import { buildOpenApiDocument, errorStatusesOf } from '../src/domain/openapi/build-document.js';
import { routePolicy } from '../src/domain/route-policy.js';
import { upstreamsAt, useEchoUpstream, useGateway } from './support.js';

const upstream = useEchoUpstream('any');
const gateway = useGateway(() => upstreamsAt(upstream.url));

describe('the OpenAPI document', () => {
  test('is structurally sound and lists every route of the table once', () => {
    const doc = buildOpenApiDocument();
    expect(openApiProblems(doc)).toEqual([]);
    const listed = API_ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(new Set(listed).size).toBe(listed.length);
    expect(operationsOf(doc).sort()).toEqual([...listed].sort());
  });

  test('every pattern means the same with or without the `u` flag (JSON Schema tools differ)', () => {
    const patterns = [...JSON.stringify(buildOpenApiDocument()).matchAll(/"pattern":("(?:[^"\\]|\\.)*")/g)];
    expect(patterns.length).toBeGreaterThan(3);
    for (const [, quoted] of patterns) {
      const pattern = JSON.parse(quoted ?? '""') as string;
      expect(pattern, pattern).not.toMatch(/\\[pPu]\{/);
      expect(() => new RegExp(pattern, 'u'), pattern).not.toThrow();
    }
  });

  test('every protected route needs the cookie and can answer 401 and 429', () => {
    for (const route of API_ROUTES.filter((r) => r.auth)) {
      expect(errorStatusesOf(route), route.path).toEqual(expect.arrayContaining([401, 429]));
    }
    const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, { security: unknown[] }>> };
    expect(doc.paths['/api/users']?.get?.security).toEqual([{ cookieAuth: [] }]);
    expect(doc.paths['/api/auth/login']?.post?.security).toEqual([]);
  });
});

describe('the route table agrees with how the gateway routes', () => {
  const concrete = (path: string) => path.replace(/\{[^}]+\}/g, '0123456789abcdef01234567');

  test('a route needs the cookie in the document exactly when the gateway requires it', () => {
    for (const route of API_ROUTES) {
      const policy = routePolicy(route.method.toUpperCase(), concrete(route.path));
      const where = `${route.method} ${route.path}`;
      if (route.tag === 'health') expect(policy, where).toBeUndefined();
      else expect(policy?.requiresAuth, where).toBe(route.auth);
    }
  });

  test('every rate-limited route can answer 429', () => {
    for (const route of API_ROUTES) {
      const policy = routePolicy(route.method.toUpperCase(), concrete(route.path));
      if (policy?.userApiLimit || policy?.credentialLimit) {
        expect(errorStatusesOf(route), `${route.method} ${route.path}`).toContain(429);
      }
    }
  });
});

describe('GET /api/docs', () => {
  test('the docs are served by the gateway itself, not proxied', () => {
    expect(routePolicy('GET', '/api/docs')).toBeUndefined();
    expect(routePolicy('GET', '/api/docs/openapi.json')).toBeUndefined();
  });

  test('openapi.json is public, cacheable JSON and never reaches an upstream', async () => {
    const before = upstream.requests.length;
    const res = await fetch(`${gateway.url}/api/docs/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const doc: unknown = await res.json();
    expect(doc).toEqual(buildOpenApiDocument());
    // Revalidation by ETag (fetch itself adds `Cache-Control: no-cache` to conditional requests).
    expect(res.headers.get('etag')).toMatch(/^W\/"/);
    expect(upstream.requests.length).toBe(before);
  });

  test('the page loads only same-origin scripts under a CSP with no inline scripts', async () => {
    const res = await fetch(`${gateway.url}/api/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
    expect(scriptSrc).toBe("'self'");
    const html = await res.text();
    expect(html).not.toMatch(/<script>|<script[^>]*>[^<\s]/);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      expect(asset.startsWith('/api/docs/'), asset).toBe(true);
      const file = await fetch(`${gateway.url}${asset}`);
      expect(file.status, asset).toBe(200);
      if (asset.endsWith('.js')) expect(file.headers.get('content-type')).toMatch(/javascript/);
      await file.arrayBuffer();
    }
  });

  test('the initializer points Swagger UI at the document and keeps it offline', async () => {
    const res = await fetch(`${gateway.url}/api/docs/docs-initializer.js`);
    const js = await res.text();
    expect(js).toContain("url: '/api/docs/openapi.json'");
    expect(js).toContain('validatorUrl: null');
  });

  test('only the assets the page needs are served from the package', async () => {
    expect((await fetch(`${gateway.url}/api/docs/swagger-initializer.js`)).status).toBe(404);
    expect((await fetch(`${gateway.url}/api/docs/../package.json`)).status).toBe(404);
  });
});
