import { type CpuPerMessage, cpuPerDelivered } from '../cpu-budget.js';
import type { BenchUser } from '../http-client.js';
import { sendMessage } from '../http-client.js';
import { type ProcessFigures, type WatchedProcess, watchProcesses } from '../proc-stats.js';
import { asMessage, type BenchSocket } from '../socket-client.js';
import { type LatencySummary, now, repeatUntil, sleep, summarize, Tally, until } from '../stats.js';

/** A chat user with one live socket (through the gateway). */
export interface ChatClient {
  user: BenchUser;
  conn: BenchSocket;
}

export interface ChatLoadOptions {
  baseUrl: string;
  clients: ChatClient[];
  /** Label of the run, part of every message text so other traffic is ignored. */
  label: string;
  durationSeconds: number;
  /** Target sends per second; 0 sends as fast as `concurrency` requests in flight allow. */
  rate: number;
  concurrency: number;
  /** An accepted message not delivered within this is lost. */
  lossWindowMs: number;
  processes: WatchedProcess[];
}

export interface ChatLoadResult {
  label: string;
  users: number;
  durationSeconds: number;
  mode: 'max' | 'rate';
  targetRate: number;
  concurrency: number;
  attempted: number;
  accepted: number;
  delivered: number;
  acceptedPerSecond: number;
  deliveredPerSecond: number;
  endToEndMs: LatencySummary;
  sendRequestMs: LatencySummary;
  errors: Record<string, number>;
  lost: number;
  duplicated: number;
  misrouted: number;
  processes: ProcessFigures[];
  /** CPU ms per delivered message by process group, with its budget. */
  cpuPerMessage: CpuPerMessage[];
}

interface Tracked {
  to: string;
  start: number;
  acceptedAt?: number;
  deliveredAt?: number;
  /** Wakes the sender waiting for this delivery (max mode). */
  onDelivered?: () => void;
}

const round = (value: number): number => Math.round(value * 10) / 10;

/** Random pairs send for the duration; every recipient socket reports what arrives and when. */
export async function runChatLoad(opts: ChatLoadOptions): Promise<ChatLoadResult> {
  const tracked = new Map<number, Tracked>();
  const e2e: number[] = [];
  const requestMs: number[] = [];
  const errors = new Tally();
  let duplicated = 0;
  let misrouted = 0;
  let lastDelivery = 0;
  const prefix = `${opts.label}:`;
  const detach = opts.clients.map(({ user, conn }) => {
    const onMessage = (raw: unknown) => {
      const message = asMessage(raw);
      if (!message?.message.startsWith(prefix)) return;
      const entry = tracked.get(Number(message.message.slice(prefix.length)));
      if (!entry) return errors.add('unknown-delivery');
      if (entry.to !== user.id) return void misrouted++;
      if (entry.deliveredAt !== undefined) return void duplicated++;
      entry.deliveredAt = now();
      lastDelivery = entry.deliveredAt;
      e2e.push(entry.deliveredAt - entry.start);
      entry.onDelivered?.();
    };
    conn.socket.on('newMessage', onMessage);
    return () => conn.socket.off('newMessage', onMessage);
  });

  const watch = watchProcesses(opts.processes);
  const started = now();
  const endAt = started + opts.durationSeconds * 1000;
  let seq = 0;
  let lastAccepted = started;
  const sendOne = async () => {
    const id = seq++;
    const [from, to] = randomPair(opts.clients);
    const entry: Tracked = { to: to.user.id, start: now() };
    tracked.set(id, entry);
    const res = await sendMessage(opts.baseUrl, from.user, to.user.id, `${prefix}${id}`);
    const done = now();
    requestMs.push(done - entry.start);
    if (!res.ok) return errors.add(res.kind);
    entry.acceptedAt = done;
    lastAccepted = Math.max(lastAccepted, done);
    // Max mode is closed-loop end to end: the slot frees when the message arrives (or is given up as lost).
    if (opts.rate === 0) await untilDelivered(entry, opts.lossWindowMs);
  };
  if (opts.rate > 0) await sendAtRate(opts, endAt, sendOne, errors);
  else await repeatUntil(endAt, opts.concurrency, sendOne);
  const sendWindow = (now() - started) / 1000;

  const accepted = [...tracked.values()].filter((t) => t.acceptedAt !== undefined);
  await until(
    () => accepted.every((t) => t.deliveredAt !== undefined),
    Math.max(0, lastAccepted + opts.lossWindowMs - now()),
    50,
  );
  const processes = watch.finish();
  for (const stopListening of detach) stopListening();

  const delivered = accepted.filter((t) => t.deliveredAt !== undefined);
  const lost = accepted.filter(
    (t) => t.deliveredAt === undefined || t.deliveredAt - (t.acceptedAt ?? 0) > opts.lossWindowMs,
  ).length;
  const deliveryWindow = Math.max(0.001, ((lastDelivery || now()) - started) / 1000);
  return {
    label: opts.label,
    users: opts.clients.length,
    durationSeconds: opts.durationSeconds,
    mode: opts.rate > 0 ? 'rate' : 'max',
    targetRate: opts.rate,
    concurrency: opts.concurrency,
    attempted: tracked.size,
    accepted: accepted.length,
    delivered: delivered.length,
    acceptedPerSecond: round(accepted.length / sendWindow),
    deliveredPerSecond: round(delivered.length / deliveryWindow),
    endToEndMs: summarize(e2e),
    sendRequestMs: summarize(requestMs),
    errors: errors.toJSON(),
    lost,
    duplicated,
    misrouted,
    processes,
    cpuPerMessage: cpuPerDelivered(processes, delivered.length),
  };
}

function untilDelivered(entry: Tracked, timeoutMs: number): Promise<void> {
  if (entry.deliveredAt !== undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    entry.onDelivered = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}

function randomPair(clients: ChatClient[]): [ChatClient, ChatClient] {
  const a = Math.floor(Math.random() * clients.length);
  let b = Math.floor(Math.random() * (clients.length - 1));
  if (b >= a) b++;
  const from = clients[a];
  const to = clients[b];
  if (!from || !to) throw new Error('need at least two chat users');
  return [from, to];
}

/** Open loop: issues sends on a 10 ms tick to keep up with `rate`, at most `concurrency` in flight. */
async function sendAtRate(
  opts: ChatLoadOptions,
  endAt: number,
  sendOne: () => Promise<void>,
  errors: Tally,
): Promise<void> {
  const started = now();
  const inFlight = new Set<Promise<void>>();
  let issued = 0;
  while (now() < endAt) {
    const due = Math.floor(((now() - started) / 1000) * opts.rate) - issued;
    for (let i = 0; i < due; i++) {
      issued++;
      if (inFlight.size >= opts.concurrency) {
        errors.add('client-backlog');
        continue;
      }
      const p = sendOne().finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await sleep(10);
  }
  await Promise.all(inFlight);
}
