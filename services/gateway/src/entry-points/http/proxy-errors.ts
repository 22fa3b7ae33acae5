import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { AppError } from '@chat/shared/http';

/** Writes `{ error, code }` on a plain response, or as a raw HTTP reply on an upgrade socket, then closes it. */
export function replyWithError(
  target: ServerResponse | Socket,
  err: AppError,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ error: err.message, code: err.code });
  if ('writeHead' in target) {
    if (target.headersSent) {
      target.destroy();
      return;
    }
    target.writeHead(err.status, { ...headers, 'content-type': 'application/json; charset=utf-8' });
    target.end(body);
    return;
  }
  if (target.destroyed) return;
  // Once the 101 went out the socket speaks WebSocket: an HTTP error reply would be garbage there.
  if (upgraded.has(target)) {
    target.destroy();
    return;
  }
  const lines = [
    `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    'Connection: close',
  ];
  // Destroyed once written: a refused upgrade must not leave a half-open socket behind.
  target.end(`${lines.join('\r\n')}\r\n\r\n${body}`, () => target.destroy());
}

const timedOut = new WeakSet<IncomingMessage>();
const upgraded = new WeakSet<Socket>();

/** Remembers that the client socket now carries a proxied WebSocket. */
export function markUpgraded(socket: Socket): void {
  upgraded.add(socket);
}

/** Remembers that the upstream request of `req` was cut by the proxy timeout (the error that follows says only ECONNRESET). */
export function markTimedOut(req: IncomingMessage): void {
  timedOut.add(req);
}

export function wasTimedOut(req: IncomingMessage): boolean {
  return timedOut.has(req);
}
