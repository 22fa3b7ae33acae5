/** A signed-up user as the bench drives it: id, credentials and the `jwt` cookie value. */
export interface BenchUser {
  id: string;
  username: string;
  token: string;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; kind: string };

const REQUEST_TIMEOUT_MS = 15_000;

/** `http-<status>`, `timeout` or `network-<code>`: how errors are counted. */
function failureKind(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return 'timeout';
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string'
      ? cause.code
      : 'error';
  return `network-${code}`;
}

async function request(
  url: string,
  init: { method: string; token?: string; body?: unknown },
): Promise<Outcome<Response>> {
  const headers: Record<string, string> = {};
  if (init.token) headers.cookie = `jwt=${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await fetch(url, {
      method: init.method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (res.ok) return { ok: true, value: res };
    await res.body?.cancel();
    return { ok: false, kind: `http-${res.status}` };
  } catch (error) {
    return { ok: false, kind: failureKind(error) };
  }
}

function idOf(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null && '_id' in body && typeof body._id === 'string'
    ? body._id
    : undefined;
}

/** POST /api/auth/signup; the token comes from the `Set-Cookie: jwt=…` of the reply. */
export async function signup(
  baseUrl: string,
  username: string,
  password: string,
): Promise<Outcome<BenchUser>> {
  const res = await request(`${baseUrl}/api/auth/signup`, {
    method: 'POST',
    body: { fullName: `Bench ${username}`, username, password, confirmPassword: password, gender: 'female' },
  });
  if (!res.ok) return res;
  const id = idOf(await res.value.json());
  const cookie = res.value.headers.getSetCookie().find((c) => c.startsWith('jwt='));
  const token = cookie?.slice(4, cookie.indexOf(';') === -1 ? undefined : cookie.indexOf(';'));
  if (!id || !token) return { ok: false, kind: 'bad-signup-reply' };
  return { ok: true, value: { id, username, token } };
}

export interface SentMessage {
  _id: string;
  createdAt: string;
}

/** POST /api/messages/send/:id as `from`. */
export async function sendMessage(
  baseUrl: string,
  from: BenchUser,
  toId: string,
  text: string,
): Promise<Outcome<SentMessage>> {
  const res = await request(`${baseUrl}/api/messages/send/${toId}`, {
    method: 'POST',
    token: from.token,
    body: { message: text },
  });
  if (!res.ok) return res;
  const body: unknown = await res.value.json();
  const id = idOf(body);
  const createdAt =
    typeof body === 'object' && body !== null && 'createdAt' in body && typeof body.createdAt === 'string'
      ? body.createdAt
      : undefined;
  if (!id || !createdAt) return { ok: false, kind: 'bad-send-reply' };
  return { ok: true, value: { _id: id, createdAt } };
}

/** GET /api/messages/:id (the default page, newest messages); resolves with the page length. */
export async function readHistory(baseUrl: string, as: BenchUser, otherId: string): Promise<Outcome<number>> {
  const res = await request(`${baseUrl}/api/messages/${otherId}`, { method: 'GET', token: as.token });
  if (!res.ok) return res;
  const body: unknown = await res.value.json();
  return Array.isArray(body) ? { ok: true, value: body.length } : { ok: false, kind: 'bad-history-reply' };
}
