#!/usr/bin/env node
// Live heap per idle socket of the libraries under a realtime node, measured alone: Socket.IO on a plain
// HTTP server in this process, once with the defaults (`bare`) and once as the node builds it
// (`createIoServer` from dist/: its options and the Redis adapter, on the machine's Redis); each socket is
// greeted with one event and kept, with no handler of ours. The clients (socket.io-client, WebSocket only)
// run in a worker thread, whose heap is its own. Live heap is V8's used size after two full collections,
// between `--warm` and `--warm` + `--sockets` sockets: what the libraries keep per connection, without the
// garbage an RSS reading includes. Not a test: numbers vary with the library versions and Node.
//
//   npm run build -w @chat/realtime
//   node services/realtime/scripts/socket-memory.mjs [--sockets 3000] [--warm 500]
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

if (isMainThread && typeof globalThis.gc !== 'function') {
  // Full collections on demand need --expose-gc: run again with it.
  const self = fileURLToPath(import.meta.url);
  const run = spawnSync(process.execPath, ['--expose-gc', self, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(run.status ?? 1);
}

if (!isMainThread) await holdClients();
else await measureAll();

async function holdClients() {
  const { io } = await import('socket.io-client');
  const held = [];
  const openOne = () =>
    new Promise((resolve, reject) => {
      const socket = io(workerData.url, { transports: ['websocket'], reconnection: false });
      socket.once('getOnlineUsers', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  parentPort.on('message', async (count) => {
    for (let opened = 0; opened < count; opened += 100) {
      const batch = Array.from({ length: Math.min(100, count - opened) }, openOne);
      held.push(...(await Promise.all(batch)));
    }
    parentPort.postMessage(held.length);
  });
}

function liveHeap() {
  globalThis.gc();
  globalThis.gc();
  return v8.getHeapStatistics().used_heap_size;
}

async function measure(name, { sockets, warm }, build) {
  const http = createServer();
  const { io, close } = await build(http);
  io.on('connection', (socket) => socket.emit('getOnlineUsers', []));
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const worker = new Worker(fileURLToPath(import.meta.url), {
    workerData: { url: `http://127.0.0.1:${http.address().port}` },
  });
  const open = (count) =>
    new Promise((resolve) => {
      worker.once('message', resolve);
      worker.postMessage(count);
    });
  await open(warm);
  const before = liveHeap();
  await open(sockets);
  const after = liveHeap();
  console.log(
    `${name.padEnd(6)} ${((after - before) / sockets / 1024).toFixed(2)} KB of live heap per socket (${after - before} bytes for ${sockets})`,
  );
  await worker.terminate();
  io.close();
  await close();
}

async function measureAll() {
  const { Server } = await import('socket.io');
  const { Redis } = await import('ioredis');
  const { createIoServer } = await import('../dist/entry-points/socket/io.server.js');
  const { values } = parseArgs({
    options: { sockets: { type: 'string', default: '3000' }, warm: { type: 'string', default: '500' } },
  });
  const counts = { sockets: Number(values.sockets), warm: Number(values.warm) };
  await measure('bare', counts, async (http) => ({ io: new Server(http), close: async () => {} }));
  await measure('node', counts, async (http) => {
    const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const [pub, sub] = [new Redis(url), new Redis(url)];
    const io = createIoServer(http, {
      corsOrigins: [],
      pub,
      sub,
      channelPrefix: `socket-memory-${process.pid}:socket.io`,
      isDraining: () => false,
    });
    return { io, close: async () => void (await Promise.all([pub.quit(), sub.quit()])) };
  });
}
