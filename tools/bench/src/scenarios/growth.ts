import { type BenchUser, readHistory, sendMessage } from '../http-client.js';
import { asMessage, openSocket } from '../socket-client.js';
import { type LatencySummary, now, pool, summarize, Tally, until } from '../stats.js';

export interface GrowthOptions {
  baseUrl: string;
  a: BenchUser;
  b: BenchUser;
  /** Size the conversation grows to. */
  messages: number;
  concurrency: number;
  /** Sequential requests timed at each checkpoint. */
  samples: number;
  timeoutMs: number;
}

export interface GrowthCheckpoint {
  messages: number;
  sendMs: LatencySummary;
  historyMs: LatencySummary;
}

export interface GrowthResult {
  messages: number;
  reached: number;
  fillPerSecond: number;
  checkpoints: GrowthCheckpoint[];
  /** p50 at the largest checkpoint / p50 at the first (target ≤ 1.5). */
  sendGrowth: number;
  historyGrowth: number;
  errors: Record<string, number>;
}

/** 100, 1,000, 10,000 … up to `total`, always ending with `total`. */
export function checkpointsFor(total: number): number[] {
  const points: number[] = [];
  for (let p = 100; p < total; p *= 10) points.push(p);
  points.push(total);
  return points;
}

const ratio = (a: number, b: number): number => (b > 0 ? Math.round((a / b) * 100) / 100 : 0);

/**
 * One conversation grows (both directions, concurrently); latency is sampled idle at each checkpoint: the
 * fill outruns the outbox relay, so sampling waits until both users' sockets got every message sent so far
 * (else the later checkpoints would time the backlog's delivery, not the conversation's size).
 */
export async function runGrowth(opts: GrowthOptions): Promise<GrowthResult> {
  const errors = new Tally();
  const deadline = Date.now() + opts.timeoutMs;
  const users = [opts.a, opts.b];
  const sockets = await Promise.all(users.map((user) => openSocket(opts.baseUrl, user.token)));
  let delivered = 0;
  sockets.forEach(({ socket }, i) => {
    socket.on('newMessage', (raw: unknown) => {
      const message = asMessage(raw);
      if (message && message.receiverId === users[i]?.id && message.message.startsWith('growth '))
        delivered++;
    });
  });
  try {
    return await grow(opts, errors, deadline, () => delivered);
  } finally {
    for (const { socket } of sockets) socket.close();
  }
}

async function grow(
  opts: GrowthOptions,
  errors: Tally,
  deadline: number,
  delivered: () => number,
): Promise<GrowthResult> {
  let count = 0;
  let fillMs = 0;
  let filled = 0;
  const checkpoints: GrowthCheckpoint[] = [];
  const send = async (i: number) => {
    const [from, to] = i % 2 === 0 ? [opts.a, opts.b] : [opts.b, opts.a];
    const res = await sendMessage(opts.baseUrl, from, to.id, `growth ${count}`);
    if (res.ok) count++;
    else errors.add(res.kind);
    return res.ok;
  };
  for (const target of checkpointsFor(opts.messages)) {
    const fillStart = now();
    const before = count;
    while (count < target - opts.samples && Date.now() < deadline) {
      await pool(target - opts.samples - count, opts.concurrency, async (i) => void (await send(i)));
    }
    fillMs += now() - fillStart;
    filled += count - before;
    if (!(await until(() => delivered() >= count, Math.max(0, deadline - Date.now()), 50))) {
      errors.add('backlog-not-delivered');
    }
    const sendMs: number[] = [];
    const historyMs: number[] = [];
    for (let i = 0; i < opts.samples; i++) {
      const started = now();
      if (await send(i)) sendMs.push(now() - started);
    }
    for (let i = 0; i < opts.samples; i++) {
      const started = now();
      const res = await readHistory(opts.baseUrl, opts.a, opts.b.id);
      if (res.ok) historyMs.push(now() - started);
      else errors.add(res.kind);
    }
    checkpoints.push({ messages: count, sendMs: summarize(sendMs), historyMs: summarize(historyMs) });
    // Out of time: this checkpoint (at whatever size was reached) is the last one.
    if (Date.now() >= deadline) break;
  }
  const first = checkpoints[0];
  const last = checkpoints.at(-1);
  return {
    messages: opts.messages,
    reached: count,
    fillPerSecond: Math.round(filled / Math.max(0.001, fillMs / 1000)),
    checkpoints,
    sendGrowth: ratio(last?.sendMs.p50 ?? 0, first?.sendMs.p50 ?? 0),
    historyGrowth: ratio(last?.historyMs.p50 ?? 0, first?.historyMs.p50 ?? 0),
    errors: errors.toJSON(),
  };
}
