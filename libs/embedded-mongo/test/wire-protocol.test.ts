import net from 'node:net';
import { type Document, deserialize, serialize } from 'bson';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type EmbeddedMongo, startEmbeddedMongo } from '../src/index.js';
import { uniqueDbName } from './helpers.js';

interface Reply {
  responseTo: number;
  opCode: number;
  doc: Document;
}

/** A bare socket client that frames replies itself, to exercise the server's own framing. */
class RawClient {
  private buffer = Buffer.alloc(0);
  private readonly replies: Reply[] = [];
  private waiters: Array<() => void> = [];
  private nextId = 1;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      while (this.buffer.length >= 4 && this.buffer.length >= this.buffer.readInt32LE(0)) {
        const length = this.buffer.readInt32LE(0);
        this.replies.push(parseReply(this.buffer.subarray(0, length)));
        this.buffer = this.buffer.subarray(length);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  id(): number {
    return this.nextId++;
  }

  write(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(bytes, (e) => (e ? reject(e) : resolve())));
  }

  async reply(responseTo: number, timeoutMs = 5_000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.replies.find((r) => r.responseTo === responseTo);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no reply to ${responseTo}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  repliesTo(ids: number[]): Reply[] {
    return this.replies.filter((r) => ids.includes(r.responseTo));
  }
}

function parseReply(message: Buffer): Reply {
  const opCode = message.readInt32LE(12);
  const bodyAt = opCode === 1 ? 36 : 21; // OP_REPLY header+20, OP_MSG header+flags+kind
  return { responseTo: message.readInt32LE(8), opCode, doc: deserialize(message.subarray(bodyAt)) };
}

function header(length: number, requestId: number, opCode: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(requestId, 4);
  h.writeInt32LE(opCode, 12);
  return h;
}

function opMsg(
  requestId: number,
  body: Document,
  options: { flags?: number; sequence?: [string, Document[]] } = {},
): Buffer {
  const flags = Buffer.alloc(4);
  flags.writeUInt32LE(options.flags ?? 0);
  const parts: Buffer[] = [flags, Buffer.from([0]), Buffer.from(serialize(body))];
  if (options.sequence) {
    const [identifier, docs] = options.sequence;
    const payload = Buffer.concat([
      Buffer.from(`${identifier}\0`),
      ...docs.map((d) => Buffer.from(serialize(d))),
    ]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(payload.length + 4);
    parts.push(Buffer.from([1]), size, payload);
  }
  if ((options.flags ?? 0) & 1) parts.push(Buffer.alloc(4)); // checksum present (not verified)
  const rest = Buffer.concat(parts);
  return Buffer.concat([header(16 + rest.length, requestId, 2013), rest]);
}

function opQuery(requestId: number, namespace: string, query: Document): Buffer {
  const rest = Buffer.concat([
    Buffer.alloc(4),
    Buffer.from(`${namespace}\0`),
    Buffer.alloc(8),
    Buffer.from(serialize(query)),
  ]);
  rest.writeInt32LE(-1, 4 + namespace.length + 1 + 4); // numberToReturn
  return Buffer.concat([header(16 + rest.length, requestId, 2004), rest]);
}

let server: EmbeddedMongo;
let client: RawClient;
const db = uniqueDbName('wire');

beforeAll(async () => {
  server = await startEmbeddedMongo();
  client = await RawClient.connect(server.port);
});

afterAll(async () => {
  client?.socket.destroy();
  await server?.stop();
});

describe('wire protocol', () => {
  test('legacy OP_QUERY isMaster is answered with an OP_REPLY handshake', async () => {
    const id = client.id();
    await client.write(opQuery(id, 'admin.$cmd', { isMaster: 1, helloOk: true }));
    const reply = await client.reply(id);
    expect(reply.opCode).toBe(1);
    expect(reply.doc).toMatchObject({ ok: 1, ismaster: true, helloOk: true, maxWireVersion: 21 });
  });

  test('a message split into single-byte writes is reassembled', async () => {
    const id = client.id();
    const bytes = opMsg(id, { insert: 'split', $db: db }, { sequence: ['documents', [{ a: 1 }, { a: 2 }]] });
    for (const byte of bytes) await client.write(Buffer.from([byte]));
    expect((await client.reply(id)).doc).toMatchObject({ ok: 1, n: 2 });
  });

  test('several messages in one write each get their own reply, in order', async () => {
    const ids = [client.id(), client.id(), client.id()];
    await client.write(
      Buffer.concat([
        opMsg(ids[0] ?? 0, { ping: 1, $db: 'admin' }),
        opMsg(ids[1] ?? 0, { count: 'split', $db: db }, { flags: 1 }),
        opMsg(ids[2] ?? 0, { nope: 1, $db: db }),
      ]),
    );
    await client.reply(ids[2] ?? 0);
    const replies = client.repliesTo(ids);
    expect(replies.map((r) => r.responseTo)).toEqual(ids);
    expect(replies[1]?.doc).toMatchObject({ ok: 1, n: 2 });
    expect(replies[2]?.doc).toEqual({
      ok: 0,
      errmsg: "no such command: 'nope'",
      code: 59,
      codeName: 'CommandNotFound',
    });
  });

  test('moreToCome requests run without a reply', async () => {
    const silent = client.id();
    const ping = client.id();
    await client.write(opMsg(silent, { insert: 'quiet', documents: [{ q: 1 }], $db: db }, { flags: 2 }));
    await client.write(opMsg(ping, { count: 'quiet', $db: db }));
    expect((await client.reply(ping)).doc).toMatchObject({ n: 1 });
    expect(client.repliesTo([silent])).toEqual([]);
  });

  test('a malformed message closes only that connection', async () => {
    const bad = await RawClient.connect(server.port);
    const closed = new Promise<void>((resolve) => bad.socket.once('close', () => resolve()));
    await bad.write(header(16, 1, 9999));
    await closed;
    const id = client.id();
    await client.write(opMsg(id, { ping: 1, $db: 'admin' }));
    expect((await client.reply(id)).doc).toMatchObject({ ok: 1 });
  });
});
