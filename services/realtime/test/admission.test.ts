import net from 'node:net';
import { testEnv } from '@chat/shared/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createClientPool } from './support/clients.js';
import { type Cluster, newUser, startCluster } from './support/nodes.js';

/**
 * A TCP proxy in front of Redis that reads the RESP commands each connection sends and records them under
 * the connection's name (ioredis names it first, with CLIENT SETNAME).
 */
async function startCommandRecorder(target: URL) {
  const commands: Array<{ connection: string; command: string }> = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: target.hostname, port: Number(target.port || 6379) });
    sockets.add(client).add(upstream);
    let connection = '?';
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const parsed = parseCommand(pending);
        if (!parsed) break;
        pending = pending.subarray(parsed.length);
        const [name = '', ...args] = parsed.args;
        if (name.toLowerCase() === 'client' && args[0]?.toLowerCase() === 'setname')
          connection = args[1] ?? '?';
        commands.push({ connection, command: name.toLowerCase() });
      }
    });
    upstream.pipe(client);
    for (const socket of [client, upstream]) {
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    commands,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One RESP array of bulk strings at the start of `buffer`, or undefined until it is complete. */
function parseCommand(buffer: Buffer): { args: string[]; length: number } | undefined {
  const lineEnd = (from: number) => {
    const end = buffer.indexOf('\r\n', from);
    return end === -1 ? undefined : end;
  };
  const headerEnd = lineEnd(0);
  if (headerEnd === undefined) return undefined;
  if (buffer[0] !== 0x2a) throw new Error('inline commands are not expected from ioredis');
  const count = Number(buffer.subarray(1, headerEnd).toString());
  let offset = headerEnd + 2;
  const args: string[] = [];
  for (let i = 0; i < count; i++) {
    const end = lineEnd(offset);
    if (end === undefined) return undefined;
    const size = Number(buffer.subarray(offset + 1, end).toString());
    const start = end + 2;
    if (buffer.length < start + size + 2) return undefined;
    args.push(buffer.subarray(start, start + size).toString());
    offset = start + size + 2;
  }
  return { args, length: offset };
}

// Every timer of the node pushed out past the test, so the only commands are the handshake's.
const QUIET = {
  PRESENCE_TTL_MS: '600000',
  PRESENCE_REFRESH_MS: '590000',
  PRESENCE_SWEEP_MS: '600000',
  PRESENCE_BROADCAST_MS: '600000',
  STATUS_UNTIL_POLL_MS: '600000',
  REVOCATION_RECHECK_MS: '600000',
};

const clients = createClientPool();
let recorder: Awaited<ReturnType<typeof startCommandRecorder>>;
let cluster: Cluster;

beforeAll(async () => {
  recorder = await startCommandRecorder(new URL(testEnv().redisUrl));
  cluster = await startCluster(1, { ...QUIET, REDIS_URL: recorder.url });
});

afterAll(async () => {
  clients.closeAll();
  await cluster?.close();
  await recorder?.close();
});

describe('the handshake and greeting', () => {
  test('cost one Redis round trip: checks, presence registration and the greeting reads in one script', async () => {
    const url = cluster.nodes[0]?.url ?? '';
    const before = recorder.commands.length;
    const client = await clients.connect(url, { token: newUser().token });
    await new Promise<void>((resolve) => {
      if (client.events('userStatus').length > 0) resolve();
      else client.socket.once('userStatus', () => resolve());
    });

    const sent = recorder.commands.slice(before).filter((c) => c.connection === 'realtime-main');
    expect(sent.map((c) => c.command)).toEqual(['eval']);
    expect(client.onlineLists().at(-1)).toBeDefined();
  });
});
