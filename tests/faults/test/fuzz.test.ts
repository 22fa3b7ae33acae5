import {
  blockReply,
  conversationReply,
  deleteMessageReply,
  messageReply,
  readConversationReply,
} from '@chat/shared/api';
import type { TypingInput } from '@chat/shared/sockets';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { connectClient } from '../src/chat-client.js';
import { request, signUp, type User } from '../src/clients.js';
import type { FaultStack } from '../src/fault-stack.js';
import { sendOnce } from '../src/load.js';
import { report } from '../src/report.js';
import { printLogsOnFailure, startStackForTest, waitFor } from './support.js';

let stack: FaultStack;
let alice: User;
let bob: User;
let carol: User;
/** What `{NAME}` placeholders in generated paths and bodies stand for, once the users exist. */
let placeholders: Record<string, string> = {};

beforeAll(async () => {
  // The typing fuzz emits faster than a person types: the per-socket event limit is not under test here.
  stack = await startStackForTest({ env: { SOCKET_EVENTS_PER_SECOND: '1000' } });
  alice = await signUp(stack.url, 'fz-a');
  bob = await signUp(stack.url, 'fz-b');
  carol = await signUp(stack.url, 'fz-c');
  const mine = await sendOnce(stack.url, alice, carol, 'fuzz-mine');
  const theirs = await sendOnce(stack.url, carol, alice, 'fuzz-theirs');
  if (!mine.message || !theirs.message) throw new Error('the fuzz fixtures could not be sent');
  placeholders = {
    '{MINE}': mine.message._id,
    '{THEIRS}': theirs.message._id,
    '{CAROL}': carol._id,
    '{BOB}': bob._id,
    '{SELF}': alice._id,
  };
});

/** Replaces every `{NAME}` placeholder (also inside JSON text) by its id. */
function resolve(text: string): string {
  return Object.entries(placeholders).reduce((out, [name, id]) => out.replaceAll(name, id), text);
}

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
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  cookie?: string;
  raw?: string;
  json?: unknown;
  headers?: Record<string, string>;
  ok: z.ZodType;
}

const encode = (value: string) => encodeURIComponent(value);

/** A message id: one of the caller's, someone else's, or a bad one. */
const messageId = fc.oneof(badId, fc.constantFrom('{MINE}', '{THEIRS}'));
/** A user id: the other party, the caller, or a bad one (never bob: the send fuzz and the 413 test need him). */
const peerId = fc.oneof(badId, fc.constantFrom('{CAROL}', '{SELF}'));
const optionalQuery = (params: Record<string, string | undefined>) => {
  const query = Object.entries(params)
    .flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${encode(v)}`]))
    .join('&');
  return query ? `?${query}` : '';
};

/** The v2 routes: edit, delete, read receipts, conversations, blocking. */
function v2Cases(): Array<fc.Arbitrary<Case>> {
  const maybe = fc.option(fc.oneof(fc.string(), messageId), { nil: undefined });
  return [
    fc.tuple(messageId, body({ message: fc.string({ maxLength: 50 }) })).map(
      ([id, json]): Case => ({
        name: 'edit',
        method: 'PATCH',
        path: `/api/messages/${encode(id)}`,
        json,
        ok: messageReply,
      }),
    ),
    messageId.map(
      (id): Case => ({
        name: 'delete',
        method: 'DELETE',
        path: `/api/messages/${encode(id)}`,
        ok: deleteMessageReply,
      }),
    ),
    fc.tuple(peerId, body({ upTo: messageId })).map(
      ([id, json]): Case => ({
        name: 'read',
        method: 'POST',
        path: `/api/messages/read/${encode(id)}`,
        json,
        ok: readConversationReply,
      }),
    ),
    fc.tuple(maybe, fc.option(fc.string(), { nil: undefined })).map(
      ([before, limit]): Case => ({
        name: 'conversations',
        method: 'GET',
        path: `/api/conversations${optionalQuery({ before, limit })}`,
        ok: z.array(conversationReply),
      }),
    ),
    fc.constantFrom('before[$gt]=', 'limit=1&limit=2', 'limit[$ne]=1', 'x=1').map(
      (query): Case => ({
        name: 'conversations-query',
        method: 'GET',
        path: `/api/conversations?${query}`,
        ok: z.array(conversationReply),
      }),
    ),
    fc.tuple(peerId, fc.constantFrom<'POST' | 'DELETE'>('POST', 'DELETE')).map(
      ([id, method]): Case => ({
        name: 'block',
        method,
        path: `/api/users/block/${encode(id)}`,
        ok: blockReply,
      }),
    ),
  ];
}

const cases: fc.Arbitrary<Case> = fc.oneof(
  fc
    .tuple(
      body({
        fullName: fc.string({ maxLength: 40 }),
        username,
        password: fc.string({ minLength: 8, maxLength: 80 }),
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
  ...v2Cases(),
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
        const path = resolve(c.path.endsWith('/api/messages/send/') ? `${c.path}${bob._id}` : c.path);
        const json = c.json === undefined ? undefined : JSON.stringify(c.json);
        const raw = c.raw ?? (json === undefined ? undefined : resolve(json));
        const reply = await request(stack.url, path, {
          method: c.method,
          cookie: authenticated ? alice.cookie : undefined,
          rawBody: c.method === 'POST' ? (raw ?? '') : raw,
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

  test('typing with any payload: acknowledged, refused unless it is {to, typing} to someone else; nothing reaches anyone else', async () => {
    const [sender, recipient] = [
      await connectClient(stack.url, alice, { reconnection: false }),
      await connectClient(stack.url, bob, { reconnection: false }),
    ];
    const to = fc.oneof(hostile, fc.constantFrom('{BOB}', '{SELF}'));
    // Packets over the 16 KB limit close the socket instead (the big-emit test below).
    const payloads = fc
      .oneof(
        hostile,
        fc.record({ to, typing: fc.oneof(fc.boolean(), hostile) }),
        fc.record({ to: fc.constant('{BOB}'), typing: fc.boolean() }),
        fc.record({ to, typing: fc.boolean(), extra: hostile }),
      )
      .filter((generated) => (JSON.stringify(generated)?.length ?? 0) < 15_000);
    const violations: string[] = [];
    let valid = 0;
    try {
      await fc.assert(
        fc.asyncProperty(payloads, async (generated) => {
          const text = JSON.stringify(generated);
          const payload: unknown = text === undefined ? generated : JSON.parse(resolve(text));
          const ok = isValidTyping(payload, bob._id);
          if (ok) valid++;
          const ack = await sender.socket.timeout(5_000).emitWithAck('typing', payload as TypingInput);
          const fits = ok ? ack.ok : !ack.ok && ack.code === 'REALTIME.INVALID_TYPING';
          if (!fits) violations.push(`${text?.slice(0, 200)} → ${JSON.stringify(ack)}`);
          return true;
        }),
        { numRuns: 150 },
      );
      // A last valid notice: once it is in, any stray one would be in too.
      await sender.socket.timeout(5_000).emitWithAck('typing', { to: bob._id, typing: false });
      await waitFor(() =>
        recipient.events.some((e) => e.kind === 'typing' && e.key === `${alice._id}|false`),
      );
      const typings = recipient.events.filter((e) => e.kind === 'typing');
      report('11-typing-fuzz', {
        emits: 151,
        valid: valid + 1,
        forwarded: typings.length,
        violations: violations.length,
      });
      expect(violations).toEqual([]);
      expect(
        typings.every((e) => /^[0-9a-f]{24}\|(true|false)$/.test(e.key) && e.key.startsWith(alice._id)),
      ).toBe(true);
      expect(typings.length).toBeLessThanOrEqual(valid + 1);
      expect(sender.events.filter((e) => e.kind === 'typing')).toEqual([]);
      expect(sender.socket.connected).toBe(true);
    } finally {
      for (const client of [sender, recipient]) client.close();
    }
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

/** The one payload shape the server must accept: exactly `{to, typing}`, to someone else. */
function isValidTyping(payload: unknown, recipientId: string): boolean {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return false;
  const keys = Object.keys(payload).sort().join();
  return (
    keys === 'to,typing' &&
    Reflect.get(payload, 'to') === recipientId &&
    typeof Reflect.get(payload, 'typing') === 'boolean'
  );
}
