import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { connectClient } from '../src/chat-client.js';
import { request, signUp, type User } from '../src/clients.js';
import type { FaultStack } from '../src/fault-stack.js';
import { report } from '../src/report.js';
import { printLogsOnFailure, startStackForTest, waitFor } from './support.js';

let stack: FaultStack;
let alice: User;
let bob: User;

beforeAll(async () => {
  stack = await startStackForTest();
  alice = await signUp(stack.url, 'fz-a');
  bob = await signUp(stack.url, 'fz-b');
});

afterAll(async () => {
  await stack?.stop();
});

printLogsOnFailure(() => stack);

const objectId = z.string().regex(/^[0-9a-f]{24}$/);
const errorReply = z.strictObject({ error: z.string().min(1), code: z.string().optional() });
const publicUser = z.object({
  _id: objectId,
  fullName: z.string(),
  username: z.string(),
  profilePic: z.string(),
});
const listedUser = publicUser.extend({
  gender: z.enum(['male', 'female']),
  status: z.enum(['Available', 'Busy']),
  online: z.boolean(),
});
const message = z.object({
  _id: objectId,
  conversationId: objectId,
  senderId: objectId,
  receiverId: objectId,
  message: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** Hostile values: wrong types, query operators, huge strings, deep nesting, odd text. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    { $ne: '' },
    { $gt: '' },
    { $where: 'sleep(1000)' },
    { $nor: [{ a: 1 }] },
    { $regex: '.*' },
    { $in: [] },
  ),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }),
  fc.integer({ min: 1_000, max: 120_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 10, max: 400 }).map((depth) => {
    let value: unknown = 'deep';
    for (let i = 0; i < depth; i++) value = { a: value };
    return value;
  }),
);

/** A valid value most of the time, a hostile one otherwise, or absent. */
const field = (valid: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 2, arbitrary: hostile },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

const username = fc.stringMatching(/^[a-z0-9_]{3,20}$/);
const badId = fc.oneof(
  fc.string(),
  fc.constantFrom(
    '../../etc/passwd',
    '%00',
    '000000000000000000000000',
    'ffffffffffffffffffffffff',
    '{"$ne":""}',
    '[object Object]',
  ),
  fc.stringMatching(/^[0-9a-f]{24}$/),
);

const body = (shape: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, field(v)]))),
    },
    { weight: 1, arbitrary: hostile },
    { weight: 1, arbitrary: fc.record({ extra: hostile, ...shape }) },
  );

interface Case {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  cookie?: string;
  raw?: string;
  json?: unknown;
  headers?: Record<string, string>;
  ok: z.ZodType;
}

const encode = (value: string) => encodeURIComponent(value);

const cases: fc.Arbitrary<Case> = fc.oneof(
  fc
    .tuple(
      body({
        fullName: fc.string({ maxLength: 40 }),
        username,
        password: fc.string({ minLength: 6, maxLength: 80 }),
        confirmPassword: fc.string(),
        gender: fc.constantFrom('male', 'female'),
      }),
      fc.boolean(),
    )
    // Half the time the confirmation matches, so the success path (and its reply schema) is exercised too.
    .map(([json, confirm]): Case => {
      const matched =
        confirm && typeof json === 'object' && json !== null && 'password' in json
          ? { ...json, confirmPassword: json.password }
          : json;
      return { name: 'signup', method: 'POST', path: '/api/auth/signup', json: matched, ok: publicUser };
    }),
  body({ username, password: fc.string() }).map(
    (json): Case => ({ name: 'login', method: 'POST', path: '/api/auth/login', json, ok: publicUser }),
  ),
  fc.constant<Case>({ name: 'me', method: 'GET', path: '/api/auth/me', ok: publicUser }),
  fc.option(fc.string(), { nil: undefined }).map(
    (q): Case => ({
      name: 'users',
      method: 'GET',
      path: `/api/users${q === undefined ? '' : `?q=${encode(q)}`}`,
      ok: z.array(listedUser),
    }),
  ),
  fc.constantFrom('q[$ne]=', 'q=a&q=b', 'q[]=x', 'q[$where]=1').map(
    (query): Case => ({
      name: 'users-query',
      method: 'GET',
      path: `/api/users?${query}`,
      ok: z.array(listedUser),
    }),
  ),
  fc
    .tuple(badId, fc.option(fc.string(), { nil: undefined }), fc.option(fc.string(), { nil: undefined }))
    .map(([id, before, limit]): Case => {
      const query = [
        before === undefined ? '' : `before=${encode(before)}`,
        limit === undefined ? '' : `limit=${encode(limit)}`,
      ]
        .filter(Boolean)
        .join('&');
      return {
        name: 'history',
        method: 'GET',
        path: `/api/messages/${encode(id)}${query ? `?${query}` : ''}`,
        ok: z.array(message),
      };
    }),
  fc
    .tuple(
      fc.oneof(badId, fc.constant('BOB'), fc.constant('BOB')),
      body({ message: fc.string({ maxLength: 50 }) }),
      fc.option(fc.string(), { nil: undefined }),
    )
    .map(
      ([id, json, key]): Case => ({
        name: 'send',
        method: 'POST',
        path: `/api/messages/send/${id === 'BOB' ? '' : encode(id)}`,
        json,
        headers: key === undefined ? {} : { 'idempotency-key': key.replace(/[^\x20-\x7e]/g, '') },
        ok: message,
      }),
    ),
  fc.string().map(
    (raw): Case => ({
      name: 'malformed-json',
      method: 'POST',
      path: '/api/auth/login',
      raw: `{${raw}`,
      ok: publicUser,
    }),
  ),
  fc
    .constantFrom(
      '/api/auth/avatar/x.svg',
      '/api/auth/avatar/..%2f..%2fetc.svg',
      '/api/nope',
      '/api/messages/',
      '/api/users/../auth/me',
    )
    .map((path): Case => ({ name: 'odd-path', method: 'GET', path, ok: z.unknown() })),
);

describe('scenario 11: fuzzing every endpoint with schema-derived and hostile input', () => {
  test('no 5xx and no reply outside its schema', async () => {
    const violations: string[] = [];
    const statuses = new Map<number, number>();
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(cases, fc.boolean(), async (c, authenticated) => {
        const path = c.path.endsWith('/api/messages/send/') ? `${c.path}${bob._id}` : c.path;
        const raw = c.raw ?? (c.json === undefined ? undefined : JSON.stringify(c.json));
        const reply = await request(stack.url, path, {
          method: c.method,
          cookie: authenticated ? alice.cookie : undefined,
          rawBody: c.method === 'POST' ? (raw ?? '') : undefined,
          headers: c.headers,
        });
        requests++;
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        const schema = reply.status < 300 ? c.ok : errorReply;
        const svg = reply.headers.get('content-type')?.startsWith('image/svg') ?? false;
        if (reply.status >= 500)
          violations.push(`${c.name} ${path} → ${reply.status} ${reply.text.slice(0, 200)}`);
        else if (!svg && !schema.safeParse(reply.body).success) {
          violations.push(`${c.name} ${path} → ${reply.status} off-schema ${reply.text.slice(0, 200)}`);
        }
        if (/at .*\.(js|ts):\d+/.test(reply.text)) violations.push(`${c.name} leaks a stack trace`);
        return true;
      }),
      { numRuns: 400 },
    );
    report('11-fuzz', { requests, violations: violations.length, statuses: Object.fromEntries(statuses) });
    expect(violations).toEqual([]);
  });

  test('a 2 MB body is refused with 413', async () => {
    const big = JSON.stringify({ message: 'x'.repeat(2 * 1024 * 1024) });
    const send = await request(stack.url, `/api/messages/send/${bob._id}`, {
      cookie: alice.cookie,
      rawBody: big,
    });
    const login = await request(stack.url, '/api/auth/login', { rawBody: big });
    expect(send.status).toBe(413);
    expect(login.status).toBe(413);
    expect(errorReply.safeParse(send.body).success).toBe(true);
  });

  test('a 2 MB socket emit disconnects that socket only', async () => {
    const [victim, sibling, other] = [
      await connectClient(stack.url, alice, { reconnection: false }),
      await connectClient(stack.url, alice, { reconnection: false }),
      await connectClient(stack.url, bob, { reconnection: false }),
    ];
    try {
      victim.socket.emit('setStatus', 'x'.repeat(2 * 1024 * 1024) as 'Busy', () => undefined);
      await waitFor(() => victim.disconnectedAt.length > 0, {
        timeoutMs: 5_000,
        message: 'the flooding socket stayed connected',
      });
      const ack = await sibling.setStatus('Available');
      expect(ack.ok).toBe(true);
      expect(sibling.socket.connected).toBe(true);
      expect(other.socket.connected).toBe(true);
      report('11-big-emit', { flooderDisconnected: true, othersConnected: 2 });
    } finally {
      for (const client of [victim, sibling, other]) client.close();
    }
  });
});
