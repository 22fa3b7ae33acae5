import { sendMessage } from '../http-client.js';
import { asMessage, type MessagePayload } from '../socket-client.js';
import { now, pool, Tally, until } from '../stats.js';
import type { ChatClient } from './chat-load.js';

export interface BusyOptions {
  baseUrl: string;
  sender: ChatClient;
  receiver: ChatClient;
  messages: number;
  concurrency: number;
  timeoutMs: number;
}

export interface BusyResult {
  messages: number;
  accepted: number;
  /** Sends per second while the receiver was Busy. */
  sendPerSecond: number;
  /** `messageDelivery: deferred` acknowledgements the sender got. */
  deferred: number;
  /** Messages that reached the Busy receiver live (must be 0). */
  liveWhileBusy: number;
  setAvailableAckMs: number;
  /** From `setStatus('Available')` to the last held message arriving. */
  allArrivedMs: number;
  received: number;
  missing: number;
  duplicated: number;
  /** Arrival order equals creation order (createdAt, then _id). */
  inOrder: boolean;
  errors: Record<string, number>;
}

const round = (value: number): number => Math.round(value * 10) / 10;

async function setStatus(client: ChatClient, status: 'Busy' | 'Available'): Promise<number> {
  const started = now();
  const ack: unknown = await client.conn.socket.timeout(10_000).emitWithAck('setStatus', status);
  if (typeof ack !== 'object' || ack === null || !('ok' in ack) || ack.ok !== true) {
    throw new Error(`setStatus ${status} refused: ${JSON.stringify(ack)}`);
  }
  return now() - started;
}

function byCreation(a: MessagePayload, b: MessagePayload): number {
  const at = a.createdAt.localeCompare(b.createdAt);
  return at !== 0 ? at : a._id.localeCompare(b._id);
}

/** Messages to a Busy user are held; switching to Available must bring every one, once, in order. */
export async function runBusy(opts: BusyOptions): Promise<BusyResult> {
  const { sender, receiver } = opts;
  const prefix = `busy-${Date.now()}:`;
  const arrivals: MessagePayload[] = [];
  let lastArrival = 0;
  const deferred = new Set<string>();
  const onMessage = (raw: unknown) => {
    const message = asMessage(raw);
    if (!message?.message.startsWith(prefix)) return;
    arrivals.push(message);
    lastArrival = now();
  };
  const onDelivery = (raw: unknown) => {
    if (typeof raw !== 'object' || raw === null) return;
    const { messageId, state } = raw as Record<string, unknown>;
    if (state === 'deferred' && typeof messageId === 'string') deferred.add(messageId);
  };
  receiver.conn.socket.on('newMessage', onMessage);
  sender.conn.socket.on('messageDelivery', onDelivery);
  try {
    await setStatus(receiver, 'Busy');
    const errors = new Tally();
    const accepted = new Set<string>();
    const sendStart = now();
    await pool(opts.messages, opts.concurrency, async (i) => {
      const res = await sendMessage(opts.baseUrl, sender.user, receiver.user.id, `${prefix}${i}`);
      if (res.ok) accepted.add(res.value._id);
      else errors.add(res.kind);
    });
    const sendSeconds = (now() - sendStart) / 1000;
    // Every accepted message must be held before the switch, or the switch races the deliveries.
    await until(() => [...accepted].every((id) => deferred.has(id)), opts.timeoutMs, 20);
    const liveWhileBusy = arrivals.length;
    const switched = now();
    const ackMs = await setStatus(receiver, 'Available');
    const before = arrivals.length;
    await until(() => new Set(arrivals.map((m) => m._id)).size >= accepted.size, opts.timeoutMs, 10);
    const unique = new Set(arrivals.map((m) => m._id));
    const flushed = arrivals.slice(before);
    return {
      messages: opts.messages,
      accepted: accepted.size,
      sendPerSecond: round(accepted.size / Math.max(0.001, sendSeconds)),
      deferred: deferred.size,
      liveWhileBusy,
      setAvailableAckMs: round(ackMs),
      allArrivedMs: round(Math.max(lastArrival, switched) - switched),
      received: arrivals.length,
      missing: [...accepted].filter((id) => !unique.has(id)).length,
      duplicated: arrivals.length - unique.size,
      inOrder: flushed.every((m, i) => i === 0 || byCreation(flushed[i - 1] ?? m, m) <= 0),
      errors: errors.toJSON(),
    };
  } finally {
    receiver.conn.socket.off('newMessage', onMessage);
    sender.conn.socket.off('messageDelivery', onDelivery);
  }
}
