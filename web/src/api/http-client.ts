/** A failed API call, carrying the server's own `error` text so the UI can show it as is. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

function inWords(seconds: number): string {
  return seconds < 90 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}

function errorText(status: number, body: unknown, retryAfter?: number): string {
  const fromServer =
    typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'string'
      ? body.error
      : undefined;
  if (status === 429) {
    const text = fromServer ?? 'Too many requests, try again later';
    return retryAfter ? `${text} (in about ${inWords(retryAfter)})` : text;
  }
  if (fromServer) return fromServer;
  if (status >= 500) return 'The chat service is unavailable right now. Please try again.';
  return `Request failed (${status})`;
}

/** JSON over fetch, same origin, cookie auth; throws ApiError on any non-2xx or network failure. */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'Cannot reach the chat server. Check your connection.');
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const retry = Number(res.headers.get('retry-after')) || undefined;
    throw new ApiError(res.status, errorText(res.status, parsed, retry), retry);
  }
  return parsed as T;
}
