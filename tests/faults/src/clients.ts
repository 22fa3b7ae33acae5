import { randomBytes } from 'node:crypto';
import type { MessageReply } from '@chat/shared/api';

export interface User {
  _id: string;
  username: string;
  password: string;
  /** The raw `jwt` token, and `jwt=…` ready for a Cookie header. */
  token: string;
  cookie: string;
}

export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export interface RequestOptions {
  method?: string;
  cookie?: string;
  body?: unknown;
  /** Raw body sent as is (fuzzing), overriding `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** One JSON request as a browser on the gateway's origin would send it (Origin on non-GET requests). */
export async function request<T = unknown>(
  baseUrl: string,
  path: string,
  opts: RequestOptions = {},
): Promise<Reply<T>> {
  const method = opts.method ?? (opts.body === undefined && opts.rawBody === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  if (method !== 'GET') headers.origin = new URL(baseUrl).origin;
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...headers, ...opts.headers },
    body,
    signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed as T, headers: res.headers, text };
}

/** The `jwt` token from a reply's Set-Cookie, or undefined. */
export function jwtOf(headers: Headers): string | undefined {
  for (const line of headers.getSetCookie()) {
    const match = /^jwt=([^;]+)/.exec(line.trim());
    if (match?.[1]) return match[1];
  }
  return undefined;
}

export const PASSWORD = 'correct horse battery';

/** Sign a fresh user up through the gateway; throws unless 201 with a cookie. */
export async function signUp(baseUrl: string, prefix: string): Promise<User> {
  const username = `${prefix}_${randomBytes(5).toString('hex')}`.slice(0, 30);
  const reply = await request<{ _id: string }>(baseUrl, '/api/auth/signup', {
    body: {
      fullName: `Fault ${prefix}`,
      username,
      password: PASSWORD,
      confirmPassword: PASSWORD,
      gender: 'male',
    },
  });
  const token = jwtOf(reply.headers);
  if (reply.status !== 201 || !token) throw new Error(`signup failed: ${reply.status} ${reply.text}`);
  return { _id: reply.body._id, username, password: PASSWORD, token, cookie: `jwt=${token}` };
}

/** Log in again: a new token (new jti) for the same user. */
export async function logIn(baseUrl: string, user: User): Promise<User> {
  const reply = await request(baseUrl, '/api/auth/login', {
    body: { username: user.username, password: user.password },
  });
  const token = jwtOf(reply.headers);
  if (reply.status !== 200 || !token) throw new Error(`login failed: ${reply.status} ${reply.text}`);
  return { ...user, token, cookie: `jwt=${token}` };
}

/** A message as the API returns it. */
export type StoredMessage = MessageReply;

/** The whole conversation of `user` with `otherId`, oldest first, paging back with `before`. */
export async function fullHistory(baseUrl: string, user: User, otherId: string): Promise<StoredMessage[]> {
  const pages: StoredMessage[][] = [];
  let before: string | undefined;
  for (;;) {
    const query = `?limit=200${before ? `&before=${before}` : ''}`;
    const reply = await request<StoredMessage[]>(baseUrl, `/api/messages/${otherId}${query}`, {
      cookie: user.cookie,
    });
    if (reply.status !== 200) throw new Error(`history failed: ${reply.status} ${reply.text}`);
    pages.unshift(reply.body);
    if (reply.body.length < 200) break;
    before = reply.body[0]?._id;
  }
  return pages.flat();
}
