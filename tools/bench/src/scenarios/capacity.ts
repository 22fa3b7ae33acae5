import type { BenchUser } from '../http-client.js';
import { memoryOf, openFilesLimit } from '../proc-stats.js';
import { type BenchSocket, openSocket } from '../socket-client.js';
import { type LatencySummary, now, pool, sleep, summarize, Tally, until } from '../stats.js';

export interface CapacityOptions {
  /** Where the sockets connect: one realtime node directly, or the gateway. */
  url: string;
  users: BenchUser[];
  sockets: number;
  concurrency: number;
  /** The node's pid, for its memory; undefined when the node is not ours. */
  nodePid?: number;
  timeoutMs: number;
}

export interface CapacityResult {
  target: string;
  requested: number;
  connected: number;
  connectSeconds: number;
  connectMs: LatencySummary;
  rssBeforeMB: number | null;
  rssAfterMB: number | null;
  /** (RSS after − RSS before) / connected sockets; null when the node's memory is not readable. */
  bytesPerSocket: number | null;
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

/** N idle authenticated sockets on one node, then one status broadcast to all of them. */
export async function runCapacity(opts: CapacityOptions): Promise<CapacityResult> {
  const rssBefore = opts.nodePid === undefined ? undefined : memoryOf(opts.nodePid, 'VmRSS');
  const sockets: Array<{ conn: BenchSocket; userId: string }> = [];
  const errors = new Tally();
  const connectMs: number[] = [];
  const started = now();
  const deadline = Date.now() + opts.timeoutMs;
  try {
    await pool(opts.sockets, opts.concurrency, async (i) => {
      const user = opts.users[i % opts.users.length];
      if (!user || Date.now() > deadline) return errors.add('skipped-timeout');
      const t = now();
      try {
        sockets.push({ conn: await openSocket(opts.url, user.token), userId: user.id });
        connectMs.push(now() - t);
      } catch (error) {
        errors.add(error instanceof Error ? `connect-${error.message}` : 'connect-error');
      }
    });
    const connectSeconds = (now() - started) / 1000;
    await sleep(1_000); // let the node finish the greetings before reading its memory
    const rssAfter = opts.nodePid === undefined ? undefined : memoryOf(opts.nodePid, 'VmRSS');
    const broadcast = await measureBroadcast(sockets, opts.timeoutMs);
    const perSocket =
      rssBefore !== undefined && rssAfter !== undefined && sockets.length > 0
        ? Math.round((rssAfter - rssBefore) / sockets.length)
        : null;
    return {
      target: opts.url,
      requested: opts.sockets,
      connected: sockets.length,
      connectSeconds: Math.round(connectSeconds * 100) / 100,
      connectMs: summarize(connectMs),
      rssBeforeMB: mb(rssBefore),
      rssAfterMB: mb(rssAfter),
      bytesPerSocket: perSocket,
      openFilesLimit: {
        bench: openFilesLimit() ?? null,
        node: opts.nodePid === undefined ? null : (openFilesLimit(opts.nodePid) ?? null),
      },
      errors: errors.toJSON(),
      broadcast,
    };
  } finally {
    for (const s of sockets) s.conn.socket.close();
  }
}

/** The first socket's user goes Busy; every socket hears `userStatus`. Then back to Available. */
async function measureBroadcast(sockets: Array<{ conn: BenchSocket; userId: string }>, timeoutMs: number) {
  const first = sockets[0];
  if (!first) throw new Error('no socket connected for the broadcast');
  const speaker = first.conn;
  const speakerId = first.userId;
  const arrivals: number[] = [];
  const started = now();
  const listeners = sockets.map(({ conn: s }) => {
    const listener = (raw: unknown) => {
      if (typeof raw !== 'object' || raw === null) return;
      const { userId, status } = raw as Record<string, unknown>;
      if (userId === speakerId && status === 'Busy') arrivals.push(now() - started);
    };
    s.socket.on('userStatus', listener);
    return () => s.socket.off('userStatus', listener);
  });
  const ack = await speaker.socket.timeout(timeoutMs).emitWithAck('setStatus', 'Busy');
  const ackMs = now() - started;
  await until(() => arrivals.length >= sockets.length, timeoutMs, 10);
  for (const off of listeners) off();
  await speaker.socket.timeout(timeoutMs).emitWithAck('setStatus', 'Available');
  if (typeof ack !== 'object' || ack === null || !('ok' in ack) || ack.ok !== true) {
    throw new Error(`setStatus refused during the broadcast: ${JSON.stringify(ack)}`);
  }
  return {
    received: arrivals.length,
    ackMs: Math.round(ackMs * 10) / 10,
    fanOutMs: Math.round(arrivals.reduce((max, v) => Math.max(max, v), 0) * 10) / 10,
    arrivalMs: summarize(arrivals),
  };
}
