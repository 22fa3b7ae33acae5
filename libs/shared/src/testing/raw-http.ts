import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';

/** A request whose path is sent exactly as written (fetch would turn `\` into `/` and resolve dot segments). */
export function rawRequest(
  base: string,
  opts: { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = httpRequest(
      { host: hostname, port, method: opts.method, path: opts.path, headers: opts.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface UpgradeOutcome {
  /** Everything the server wrote (status line, headers, body), '' when it wrote nothing. */
  received: string;
  /** The status line the server answered with, or '' when it wrote nothing. */
  statusLine: string;
  /** Whether the gateway closed the connection before the deadline. */
  closed: boolean;
}

/** A WebSocket upgrade request on a raw socket; what came back, and whether the server closed it, within `deadlineMs`. */
export function rawUpgrade(
  base: string,
  path: string,
  headers: Record<string, string>,
  deadlineMs = 3_000,
): Promise<UpgradeOutcome> {
  return new Promise((resolve) => {
    const { hostname, port } = new URL(base);
    const socket = connect(Number(port), hostname);
    let received = '';
    const outcome = (closed: boolean) => ({ received, statusLine: received.split('\r\n')[0] ?? '', closed });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(outcome(false));
    }, deadlineMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(outcome(true));
    });
    const lines = [
      `GET ${path} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      'Connection: Upgrade',
      'Upgrade: websocket',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}
