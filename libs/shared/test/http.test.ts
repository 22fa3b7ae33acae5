import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  AppError,
  createHttpService,
  type HttpService,
  requestIdOf,
  requestLogger,
  validate,
} from '../src/http/index.js';
import { waitFor } from '../src/testing/index.js';
import { captureLogger } from './http-helpers.js';

const { logger, lines } = captureLogger('http-test');
let ready = true;
let service: HttpService;
let base: string;

beforeAll(async () => {
  service = createHttpService({
    name: 'http-test',
    logger,
    jsonLimit: '1kb',
    readinessTimeoutMs: 200,
    readiness: {
      flag: () => {
        if (!ready) throw new Error('flag down');
      },
      slowWhenDown: () => (ready ? undefined : new Promise<void>(() => {})),
    },
    routes: (app) => {
      app.post('/echo', (req, res) => {
        const body = validate(z.object({ username: z.string() }), req.body, 'TEST.INVALID_BODY');
        requestLogger(res, logger).info('echo handled');
        res.json({ body, correlationId: requestIdOf(res) });
      });
      app.get('/items/:id', (req, res) => {
        res.json({ id: req.params.id });
      });
      app.get('/conflict', () => {
        throw new AppError('TEST.CONFLICT', 409, 'Already there');
      });
      app.get('/boom', async () => {
        throw new Error('secret internal detail');
      });
    },
  });
  base = (await service.start(0, '127.0.0.1')).url;
});

afterAll(() => service.stop());

const postJson = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/echo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

describe('createHttpService', () => {
  test('GET /healthz answers ok without x-powered-by', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  test('an unknown route is 404 with the shared shape', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'Not found', code: 'HTTP.NOT_FOUND' });
  });

  test('a body over the limit is 413', async () => {
    const res = await postJson(JSON.stringify({ username: 'x'.repeat(2048) }));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'Request body too large', code: 'HTTP.PAYLOAD_TOO_LARGE' });
  });

  test('malformed JSON is 400', async () => {
    const res = await postJson('{"username": ');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'Malformed JSON body', code: 'HTTP.MALFORMED_JSON' });
  });

  test('another body-parser client error keeps its status with a generic message', async () => {
    const res = await postJson('{}', { 'content-type': 'application/json; charset=latin9' });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({ error: 'Unsupported Media Type', code: 'HTTP.BAD_REQUEST' });
  });

  test('an AppError becomes its status and { error, code }', async () => {
    const res = await fetch(`${base}/conflict`);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: 'Already there', code: 'TEST.CONFLICT' });
  });

  test('validation failures are 400 with the first issue and its path', async () => {
    const res = await postJson(JSON.stringify({ username: 42 }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'username: expected a string', code: 'TEST.INVALID_BODY' });
  });

  test('an unknown error is a generic 500, logged with its stack under the request id, never sent', async () => {
    const res = await fetch(`${base}/boom`, { headers: { 'x-request-id': 'req-boom-1' } });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: 'Internal server error', code: 'INTERNAL' });
    expect(text).not.toMatch(/secret internal detail|at .*\.ts/);
    const logged = lines.find((l) => l.msg === 'unhandled error');
    expect(logged?.correlationId).toBe('req-boom-1');
    expect(logged?.err).toMatchObject({
      message: 'secret internal detail',
      stack: expect.stringContaining('Error'),
    });
  });

  test('echoes a caller request id, hands it to the route and logs the route’s lines under it', async () => {
    const res = await postJson(JSON.stringify({ username: 'alice' }), { 'x-request-id': 'req-abc-1' });
    expect(res.headers.get('x-request-id')).toBe('req-abc-1');
    expect(await res.json()).toEqual({ body: { username: 'alice' }, correlationId: 'req-abc-1' });
    expect(lines.find((l) => l.msg === 'echo handled' && l.correlationId === 'req-abc-1')).toBeDefined();
  });

  test('creates a request id when none (or an unsafe one) is sent', async () => {
    const res = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'bad id\twith tab' } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('GET /readyz is 200 when every check passes and 503 naming the failed ones', async () => {
    const up = await fetch(`${base}/readyz`);
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: 'ready', checks: { flag: 'up', slowWhenDown: 'up' } });
    ready = false;
    try {
      const down = await fetch(`${base}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({
        status: 'not ready',
        checks: { flag: 'down', slowWhenDown: 'down' },
      });
    } finally {
      ready = true;
    }
  });

  test('GET /metrics exposes the duration histogram labelled by route pattern', async () => {
    await fetch(`${base}/items/id-123456`);
    // The histogram is observed on the server's 'finish' event, which may trail the client's response.
    const series = /http_request_duration_seconds_count\{[^}]*method="GET",route="\/items\/:id",status="200"/;
    const text = await waitFor(async () => {
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      const body = await res.text();
      return series.test(body) ? body : undefined;
    });
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).not.toContain('id-123456');
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});

describe('createHttpService with etag: false', () => {
  test('a reply carries no ETag, where the default one has it', async () => {
    const plain = createHttpService({
      name: 'http-test-no-etag',
      logger,
      etag: false,
      routes: (app) => {
        app.get('/items/:id', (req, res) => {
          res.json({ id: req.params.id });
        });
      },
    });
    const plainBase = (await plain.start(0, '127.0.0.1')).url;
    try {
      const [without, withDefault] = await Promise.all([
        fetch(`${plainBase}/items/a`),
        fetch(`${base}/items/a`),
      ]);
      expect(await without.json()).toEqual({ id: 'a' });
      expect(without.headers.get('etag')).toBeNull();
      expect(withDefault.headers.get('etag')).toMatch(/^W\/"/);
    } finally {
      await plain.stop();
    }
  });
});

describe('createHttpService request objects', () => {
  test('arrive with the app’s prototypes already, so Express re-parents nothing, and keep its API', async () => {
    const seen: Array<{ request: boolean; response: boolean }> = [];
    const service = createHttpService({
      name: 'http-test-prototypes',
      logger,
      routes: (app) => {
        app.get('/who', (req, res) => {
          res.status(201).json({ ip: req.ip, path: req.path, query: req.query, app: req.app === app });
        });
      },
    });
    // Ahead of Express's own listener: what the server built, before app.handle ran.
    service.server.prependListener('request', (req, res) => {
      seen.push({
        request: Object.getPrototypeOf(req) === service.app.request,
        response: Object.getPrototypeOf(res) === service.app.response,
      });
    });
    const { url } = await service.start(0, '127.0.0.1');
    try {
      const res = await fetch(`${url}/who?x=1`);
      expect(res.status).toBe(201);
      expect(await res.json()).toEqual({ ip: '127.0.0.1', path: '/who', query: { x: '1' }, app: true });
      expect(seen).toEqual([{ request: true, response: true }]);
    } finally {
      await service.stop();
    }
  });
});

describe('validate', () => {
  test('returns the parsed value and keeps schema-defined messages', () => {
    const schema = z.object({ message: z.string().trim().min(1, { error: 'Message is required' }) });
    expect(validate(schema, { message: ' hi ' }, 'MESSAGES.EMPTY')).toEqual({ message: 'hi' });
    expect(() => validate(schema, { message: '  ' }, 'MESSAGES.EMPTY')).toThrow(
      expect.objectContaining({
        code: 'MESSAGES.EMPTY',
        status: 400,
        message: 'message: Message is required',
      }),
    );
  });

  test('names nested paths and missing keys', () => {
    const schema = z.object({ user: z.object({ gender: z.enum(['male', 'female']) }) });
    expect(() => validate(schema, { user: { gender: 'x' } }, 'TEST.INVALID')).toThrow(
      'user.gender: expected one of: male, female',
    );
    expect(() => validate(schema, {}, 'TEST.INVALID')).toThrow('user: required');
    expect(() => validate(z.object({ q: z.string().min(1) }), { q: '' }, 'TEST.INVALID')).toThrow(
      'q: must not be empty',
    );
    expect(() => validate(z.object({ q: z.string().max(3) }), { q: 'long' }, 'TEST.INVALID')).toThrow(
      'q: must be at most 3 characters',
    );
  });
});
