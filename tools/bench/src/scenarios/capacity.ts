import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { epochNow, type FromWorker, fromWorkerSchema, type ToWorker } from '../capacity-protocol.js';
import type { BenchUser } from '../http-client.js';
import { cpuSecondsOf, findProcesses, memoryOf, openFilesLimit } from '../proc-stats.js';
import { openSocket } from '../socket-client.js';
import { type LatencySummary, sleep, summarize, Tally } from '../stats.js';

export interface CapacityOptions {
  /** Where the sockets connect: one realtime node directly, or the gateway. */
  url: string;
  users: BenchUser[];
  sockets: number;
  /** Connections being opened at once, over all workers. */
  concurrency: number;
  /** The node's pid, for its memory; undefined when the node is not ours. */
  nodePid?: number;
  timeoutMs: number;
}

export interface CapacityResult {
  target: string;
  requested: number;
  connected: number;
  /** Processes holding the sockets (each may hold at most its open-files limit). */
  workers: number;
  connectSeconds: number;
  connectPerSecond: number;
  connectMs: LatencySummary;
  /** CPU ms per socket opened, over both halves: the node, the client processes, Redis (null: unreadable). */
  connectCpuMsPerSocket: { node: number | null; clients: number | null; redis: number | null };
  rssBeforeMB: number | null;
  /** The node's RSS once the first half of the sockets is open. */
  rssHalfMB: number | null;
  rssAfterMB: number | null;
  /** RSS added by the second half ÷ its sockets; null when the node's memory is not readable. */
  bytesPerSocket: number | null;
  /** (RSS after − RSS before) / connected sockets, the node's one-off growth included. */
  bytesPerSocketOverall: number | null;
  openFilesLimit: { bench: number | null; node: number | null };
  errors: Record<string, number>;
  broadcast: {
    received: number;
    ackMs: number;
    /** setStatus emitted → the last socket's `userStatus`. */
    fanOutMs: number;
    arrivalMs: LatencySummary;
  };
}

const MB = 1024 * 1024;
const mb = (bytes: number | undefined): number | null =>
  bytes === undefined ? null : Math.round((bytes / MB) * 10) / 10;
/**
 * Sockets per worker process: as many as its open-files limit leaves room for (it inherits the bench's),
 * less a margin for its own descriptors; 5,000 when the limit is unknown. Few processes: each one more
 * on the node's cores is scheduling and wake-ups; holding 19,000 sockets, four processes cost 0.23 ms of
 * CPU per connect against 0.16 for one.
 */
export function socketsPerWorker(limit: number | undefined): number {
  return limit === undefined ? 5_000 : Math.max(1, limit - 100);
}
// The built worker, whether this module runs from dist/scenarios or (under the test runner) src/scenarios:
// a child process runs plain JavaScript.
const WORKER_FILE = fileURLToPath(new URL('../../dist/capacity-worker.js', import.meta.url));

/** The smallest known value, or null when none is known. */
function lowest(values: Array<number | undefined>): number | null {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length > 0 ? Math.min(...known) : null;
}

/** A forked socket worker: typed commands in, the next message of a given type out. */
class SocketWorker {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<FromWorker['type'], (message: FromWorker) => void>();
  private failure: Error | undefined;

  constructor(readonly index: number) {
    // No inherited execArgv: the bench's own flags (profiling) are not the workers'.
    this.child = fork(WORKER_FILE, [], { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.child.on('message', (raw: unknown) => {
      const message = fromWorkerSchema.parse(raw);
      const resolve = this.waiting.get(message.type);
      this.waiting.delete(message.type);
      resolve?.(message);
    });
    this.child.once('exit', (code, signal) => {
      this.failure = new Error(`socket worker ${index} exited (${signal ?? code})`);
      for (const [type] of this.waiting) this.waiting.delete(type);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: ToWorker): void {
    if (this.failure) throw this.failure;
    this.child.send(message);
  }

  next<T extends FromWorker['type']>(type: T, timeoutMs: number): Promise<Extract<FromWorker, { type: T }>> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const timer = setTimeout(() => {
        this.waiting.delete(type);
        reject(new Error(`socket worker ${this.index}: no '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      const onExit = () => {
        clearTimeout(timer);
        reject(this.failure ?? new Error(`socket worker ${this.index} exited`));
      };
      this.child.once('exit', onExit);
      this.waiting.set(type, (message) => {
        clearTimeout(timer);
        this.child.off('exit', onExit);
        resolve(message as Extract<FromWorker, { type: T }>);
      });
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.send({ type: 'close' } satisfies ToWorker);
    else this.child.kill();
    await Promise.race([exited, sleep(10_000).then(() => this.child.kill())]);
  }
}

interface OpenRound {
  connected: number;
  connectMs: number[];
  errors: Tally;
  openFilesLimit: number | null;
}

/** Every worker opens its share of sockets `[from, to)` of the whole count; resolves once all report. */
async function openRound(
  workers: SocketWorker[],
  opts: CapacityOptions,
  range: { from: number; to: number },
  deadline: number,
): Promise<OpenRound> {
  const count = workers.length;
  const users = opts.users.map((u) => ({ id: u.id, token: u.token }));
  const opened = await Promise.all(
    workers.map((worker, i) => {
      const first = range.from + Math.floor(((range.to - range.from) * i) / count);
      const next = range.from + Math.floor(((range.to - range.from) * (i + 1)) / count);
      const reply = worker.next('opened', opts.timeoutMs + 30_000);
      worker.send({
        type: 'open',
        url: opts.url,
        users,
        first,
        count: next - first,
        concurrency: Math.max(1, Math.ceil(opts.concurrency / count)),
        deadline,
      });
      return reply;
    }),
  );
  const errors = new Tally();
  for (const o of opened) for (const [kind, n] of Object.entries(o.errors)) errors.add(kind, n);
  return {
    // Each worker reports all the sockets it holds, this round's and earlier ones.
    connected: opened.reduce((n, o) => n + o.connected, 0),
    connectMs: opened.flatMap((o) => o.connectMs),
    errors,
    openFilesLimit: lowest(opened.map((o) => o.openFilesLimit ?? undefined)),
  };
}

/** CPU seconds of these processes together; undefined when one cannot be read. */
function cpuOf(pids: number[]): number | undefined {
  let total = 0;
  for (const pid of pids) {
    const seconds = cpuSecondsOf(pid);
    if (seconds === undefined) return undefined;
    total += seconds;
  }
  return total;
}

const perSocketMs = (before: number | undefined, after: number | undefined, sockets: number) =>
  before === undefined || after === undefined || sockets === 0
    ? null
    : Math.round(((after - before) * 1000 * 1000) / sockets) / 1000;

/**
 * N idle authenticated sockets on one node, held by ⌈N / socketsPerWorker⌉ worker processes (one for
 * 19,000 under a limit of 20,000), then one status broadcast to all of them: memory per socket, connect
 * rate, CPU per connect and the fan-out time.
 * The sockets are opened in two halves. Memory per socket is the RSS added by the second half: the first
 * half also pays what a node grows once under load (V8's young generation reaching its full size, buffer
 * pools), which the overall figure spreads over the sockets as if each cost it.
 */
export async function runCapacity(opts: CapacityOptions): Promise<CapacityResult> {
  const rss = () => (opts.nodePid === undefined ? undefined : memoryOf(opts.nodePid, 'VmRSS'));
  const rssBefore = rss();
  const count = Math.max(1, Math.ceil(opts.sockets / socketsPerWorker(openFilesLimit())));
  const workers = Array.from({ length: count }, (_, i) => new SocketWorker(i));
  const nodePids = opts.nodePid === undefined ? [] : [opts.nodePid];
  const redisPids = findProcesses('redis-server', 'redis').map((p) => p.pid);
  const clientPids = workers.flatMap((w) => (w.pid === undefined ? [] : [w.pid]));
  try {
    const deadline = Date.now() + opts.timeoutMs;
    const half = Math.floor(opts.sockets / 2);
    const cpuBefore = { node: cpuOf(nodePids), clients: cpuOf(clientPids), redis: cpuOf(redisPids) };
    let started = epochNow();
    const first = await openRound(workers, opts, { from: 0, to: half }, deadline);
    let connectSeconds = (epochNow() - started) / 1000;
    await sleep(1_000); // let the node finish the greetings before reading its memory
    const rssHalf = rss();
    started = epochNow();
    const second = await openRound(workers, opts, { from: half, to: opts.sockets }, deadline);
    connectSeconds += (epochNow() - started) / 1000;
    const cpuAfter = { node: cpuOf(nodePids), clients: cpuOf(clientPids), redis: cpuOf(redisPids) };
    const connected = second.connected;
    const errors = first.errors;
    for (const [kind, n] of Object.entries(second.errors.toJSON())) errors.add(kind, n);
    await sleep(1_000);
    const rssAfter = rss();
    const broadcast = await measureBroadcast(workers, opts, connected);
    const secondHalf = connected - first.connected;
    return {
      target: opts.url,
      requested: opts.sockets,
      connected,
      workers: count,
      connectSeconds: Math.round(connectSeconds * 100) / 100,
      connectPerSecond: Math.round(connected / Math.max(0.001, connectSeconds)),
      connectMs: summarize([...first.connectMs, ...second.connectMs]),
      connectCpuMsPerSocket: {
        node: perSocketMs(cpuBefore.node, cpuAfter.node, connected),
        clients: perSocketMs(cpuBefore.clients, cpuAfter.clients, connected),
        redis: perSocketMs(cpuBefore.redis, cpuAfter.redis, connected),
      },
      rssBeforeMB: mb(rssBefore),
      rssHalfMB: mb(rssHalf),
      rssAfterMB: mb(rssAfter),
      bytesPerSocket:
        rssHalf !== undefined && rssAfter !== undefined && secondHalf > 0
          ? Math.round((rssAfter - rssHalf) / secondHalf)
          : null,
      bytesPerSocketOverall:
        rssBefore !== undefined && rssAfter !== undefined && connected > 0
          ? Math.round((rssAfter - rssBefore) / connected)
          : null,
      openFilesLimit: {
        bench: lowest([
          openFilesLimit(),
          first.openFilesLimit ?? undefined,
          second.openFilesLimit ?? undefined,
        ]),
        node: opts.nodePid === undefined ? null : (openFilesLimit(opts.nodePid) ?? null),
      },
      errors: errors.toJSON(),
      broadcast,
    };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}

/**
 * A separate speaker socket (of the first user) goes Busy; every worker timestamps its sockets'
 * `userStatus`. Then back to Available.
 */
async function measureBroadcast(workers: SocketWorker[], opts: CapacityOptions, connected: number) {
  const user = opts.users[0];
  if (!user || connected === 0) throw new Error('no socket connected for the broadcast');
  const speaker = await openSocket(opts.url, user.token);
  try {
    await Promise.all(
      workers.map((w) => {
        const ready = w.next('listening', 30_000);
        w.send({ type: 'listen', speakerId: user.id, status: 'Busy' });
        return ready;
      }),
    );
    const pending = workers.map((w) => w.next('arrivals', opts.timeoutMs + 30_000));
    const started = epochNow();
    const ack = await speaker.socket.timeout(opts.timeoutMs).emitWithAck('setStatus', 'Busy');
    const ackMs = epochNow() - started;
    if (typeof ack !== 'object' || ack === null || !('ok' in ack) || ack.ok !== true) {
      throw new Error(`setStatus refused during the broadcast: ${JSON.stringify(ack)}`);
    }
    // Workers report when all their sockets heard it; past the timeout, ask for what arrived.
    const timer = setTimeout(() => {
      for (const w of workers) w.send({ type: 'report' });
    }, opts.timeoutMs);
    const arrivals = (await Promise.all(pending)).flatMap((m) => m.arrivals.map((at) => at - started));
    clearTimeout(timer);
    await speaker.socket.timeout(opts.timeoutMs).emitWithAck('setStatus', 'Available');
    return {
      received: arrivals.length,
      ackMs: Math.round(ackMs * 10) / 10,
      fanOutMs: Math.round(arrivals.reduce((max, v) => Math.max(max, v), 0) * 10) / 10,
      arrivalMs: summarize(arrivals),
    };
  } finally {
    speaker.socket.close();
  }
}
