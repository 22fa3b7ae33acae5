import type { MessageReply } from '@chat/shared/api';
import { uniqueName } from '@chat/shared/testing';
import { expect } from 'vitest';
import { waitForValue } from './wait.js';

export interface SignedUpUser {
  _id: string;
  username: string;
  fullName: string;
  /** `jwt=…`, ready for a Cookie header. */
  cookie: string;
}

export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * What a browser page served by the gateway does: JSON requests carrying the `jwt` cookie, and an Origin
 * header equal to the gateway's origin on the requests a browser sends one with (POST).
 */
export function browser(gatewayUrl: string, cookie?: string) {
  const origin = new URL(gatewayUrl).origin;
  const send = async <T>(method: string, path: string, body?: unknown): Promise<Reply<T>> => {
    const headers: Record<string, string> = {};
    if (cookie) headers.cookie = cookie;
    if (method !== 'GET') headers.origin = origin;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${gatewayUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
  };
  return {
    get: <T = unknown>(path: string) => send<T>('GET', path),
    post: <T = unknown>(path: string, body?: unknown) => send<T>('POST', path, body),
    patch: <T = unknown>(path: string, body?: unknown) => send<T>('PATCH', path, body),
    delete: <T = unknown>(path: string) => send<T>('DELETE', path),
  };
}

/** The `jwt=…` pair from a reply's Set-Cookie, or undefined. */
export function jwtCookieOf(headers: Headers): string | undefined {
  for (const line of headers.getSetCookie()) {
    const pair = line.split(';')[0]?.trim();
    if (pair?.startsWith('jwt=') && pair.length > 'jwt='.length) return pair;
  }
  return undefined;
}

/** Signs a fresh user up through the gateway (201 + cookie asserted). Usernames stay ≤ 30 characters. */
export async function signUp(gatewayUrl: string, prefix: string): Promise<SignedUpUser> {
  const username = uniqueName(prefix).slice(0, 30);
  const fullName = `E2E ${prefix}`;
  const password = 'correct horse battery';
  const reply = await browser(gatewayUrl).post<{ _id: string; username: string }>('/api/auth/signup', {
    fullName,
    username,
    password,
    confirmPassword: password,
    gender: 'female',
  });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  const cookie = jwtCookieOf(reply.headers);
  if (!cookie) throw new Error('signup set no jwt cookie');
  expect(reply.body.username).toBe(username);
  return { _id: reply.body._id, username, fullName, cookie };
}

/** A message as the API returns it. */
export type SentMessage = MessageReply;

/**
 * POST /api/messages/send/:id as `from`; asserts 201 and returns the stored message. The messages service
 * learns of new users from `user.registered`, so a receiver signed up a moment ago may still be unknown:
 * that one answer (404 RECEIVER_NOT_FOUND, nothing stored) is retried until the deadline.
 */
export async function sendMessage(
  gatewayUrl: string,
  from: SignedUpUser,
  to: SignedUpUser,
  text: string,
): Promise<SentMessage> {
  const client = browser(gatewayUrl, from.cookie);
  const reply = await waitForValue(
    async () => {
      // A network failure is not retried: the message may have been stored.
      const attempt = await client
        .post<SentMessage & { code?: string }>(`/api/messages/send/${to._id}`, { message: text })
        .catch((err: unknown) => ({ status: 0, body: { error: String(err) } }));
      return attempt.body && 'code' in attempt.body && attempt.body.code === 'MESSAGES.RECEIVER_NOT_FOUND'
        ? undefined
        : attempt;
    },
    { timeoutMs: 5_000, message: `${to.username} never became a known receiver` },
  );
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body as SentMessage;
}

export interface ListedUser {
  _id: string;
  username: string;
  status: string;
  online: boolean;
  /** I blocked them (v2). */
  blocked?: boolean;
}

/** GET /api/users as `user` (200 asserted). */
export async function listUsers(gatewayUrl: string, user: SignedUpUser): Promise<ListedUser[]> {
  const reply = await browser(gatewayUrl, user.cookie).get<ListedUser[]>('/api/users');
  expect(reply.status).toBe(200);
  return reply.body;
}

export const idsOf = (messages: Array<{ _id: string }>): string[] => messages.map((m) => m._id);
