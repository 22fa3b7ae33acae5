import { randomBytes } from 'node:crypto';
import { request, type StoredMessage, type User } from './clients.js';

/** One logical send and what its sender finally learnt. */
export interface SendRecord {
  /** Unique text of the message; also its Idempotency-Key. */
  key: string;
  sender: User;
  receiver: User;
  startedAt: number;
  /** `ok`: a 201 with the stored message; `failed`: refused for good (4xx); `unknown`: no answer by the deadline. */
  outcome: 'ok' | 'failed' | 'unknown';
  message?: StoredMessage;
  ackedAt?: number;
  attempts: number;
  /** Statuses of the attempts that did not succeed (503 during an outage…). */
  errors: string[];
}

export interface LoadOptions {
  baseUrl: string;
  pairs: Array<[User, User]>;
  total: number;
  perSecond: number;
  /** How long one send keeps retrying (same Idempotency-Key) through 5xx and network errors. */
  retryForMs?: number;
  /** Called when send number `index` starts (scenarios inject faults at given points). */
  onSend?: (index: number) => void | Promise<void>;
  /** Called as each send gets its final outcome (scenarios act on acknowledged messages mid-load). */
  onResult?: (record: SendRecord) => void;
}

// Retried with the same key: nothing stored yet (receiver unknown so far), or the outcome is unknown.
function retryable(status: number, code: string | undefined): boolean {
  return status >= 500 || status === 429 || code === 'MESSAGES.RECEIVER_NOT_FOUND';
}

/** Send one message like a careful client: one Idempotency-Key, retried until a definite answer. */
export async function sendOnce(
  baseUrl: string,
  sender: User,
  receiver: User,
  key: string,
  retryForMs = 30_000,
): Promise<SendRecord> {
  const record: SendRecord = {
    key,
    sender,
    receiver,
    startedAt: Date.now(),
    outcome: 'unknown',
    attempts: 0,
    errors: [],
  };
  const deadline = record.startedAt + retryForMs;
  while (Date.now() < deadline) {
    record.attempts++;
    try {
      const reply = await request<StoredMessage & { code?: string }>(
        baseUrl,
        `/api/messages/send/${receiver._id}`,
        {
          cookie: sender.cookie,
          body: { message: key },
          headers: { 'idempotency-key': key },
          timeoutMs: 10_000,
        },
      );
      if (reply.status === 201) {
        return { ...record, outcome: 'ok', message: reply.body, ackedAt: Date.now() };
      }
      record.errors.push(`${reply.status} ${reply.body?.code ?? ''}`);
      if (!retryable(reply.status, reply.body?.code)) return { ...record, outcome: 'failed' };
    } catch (err) {
      record.errors.push(err instanceof Error ? err.message : String(err));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return record;
}

/**
 * Open-loop load: `total` sends at `perSecond`, round-robin over `pairs`, each with a unique text. Sends
 * overlap (a slow answer does not slow the schedule), like independent users would.
 */
export async function runLoad(opts: LoadOptions): Promise<SendRecord[]> {
  const run = randomBytes(3).toString('hex');
  const interval = 1000 / opts.perSecond;
  const start = Date.now();
  const pending: Array<Promise<SendRecord>> = [];
  for (let i = 0; i < opts.total; i++) {
    const wait = start + i * interval - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await opts.onSend?.(i);
    const pair = opts.pairs[i % opts.pairs.length];
    if (!pair) throw new Error('no pairs to send between');
    const [sender, receiver] = pair;
    const send = sendOnce(opts.baseUrl, sender, receiver, `load-${run}-${i}`, opts.retryForMs);
    pending.push(
      send.then((record) => {
        opts.onResult?.(record);
        return record;
      }),
    );
  }
  return Promise.all(pending);
}
