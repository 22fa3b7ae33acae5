import type { ChatClient } from './chat-client.js';
import { fullHistory, type StoredMessage, type User } from './clients.js';
import type { SendRecord } from './load.js';

/**
 * Jepsen-style verdict over one scenario's sends. Every id is judged against three observers: what its
 * sender was told (201 or not), what the history holds, and what each recipient socket received live.
 */
export interface Verdict {
  sent: number;
  acknowledged: number;
  /** Refused for good (4xx); must not be stored. */
  failed: number;
  /** No definite answer by the deadline; may be stored at most once. */
  unknown: number;
  stored: number;
  /** Acknowledged, stored once, and received once by every socket that had to get it live. */
  delivered: number;
  /** Live pushes received (all sockets). */
  livePushes: number;
  /** Live pushes a socket could legitimately miss (it was offline or Busy), not received. */
  missedLive: number;
  lost: string[];
  duplicated: string[];
  unexpected: string[];
}

export interface CheckOptions {
  baseUrl: string;
  sends: SendRecord[];
  /** Recipient sockets to judge (any socket of any receiver). */
  clients: ChatClient[];
  /** Must `client` have received `send` live? Default: yes, when the client belongs to its receiver. */
  liveRequired?: (send: SendRecord, client: ChatClient) => boolean;
  /** Extra conversations to scan for unexpected messages. */
  conversations?: Array<[User, User]>;
}

function conversationsOf(opts: CheckOptions): Array<[User, User]> {
  const byKey = new Map<string, [User, User]>();
  const add = (a: User, b: User) => byKey.set([a._id, b._id].sort().join(':'), [a, b]);
  for (const send of opts.sends) add(send.sender, send.receiver);
  for (const [a, b] of opts.conversations ?? []) add(a, b);
  return [...byKey.values()];
}

async function readHistories(opts: CheckOptions): Promise<StoredMessage[]> {
  const all: StoredMessage[] = [];
  for (const [a, b] of conversationsOf(opts)) all.push(...(await fullHistory(opts.baseUrl, a, b._id)));
  return all;
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** Classify every id the load sent as delivered, lost, duplicated or unexpected. */
export async function check(opts: CheckOptions): Promise<Verdict> {
  const history = await readHistories(opts);
  const storedByText = countBy(history, (m) => m.message);
  const byKey = new Map(opts.sends.map((s) => [s.key, s]));
  const byId = new Map(opts.sends.flatMap((s) => (s.message ? [[s.message._id, s] as const] : [])));
  const verdict: Verdict = {
    sent: opts.sends.length,
    acknowledged: opts.sends.filter((s) => s.outcome === 'ok').length,
    failed: opts.sends.filter((s) => s.outcome === 'failed').length,
    unknown: opts.sends.filter((s) => s.outcome === 'unknown').length,
    stored: 0,
    delivered: 0,
    livePushes: 0,
    missedLive: 0,
    lost: [],
    duplicated: [],
    unexpected: [],
  };
  for (const message of history) {
    const send = byKey.get(message.message);
    if (!send) verdict.unexpected.push(`history holds a message nobody sent: ${message._id}`);
    else if (send.outcome === 'failed') verdict.unexpected.push(`refused send ${send.key} was stored`);
    else if (send.message && send.message._id !== message._id) {
      verdict.unexpected.push(`${send.key} stored as ${message._id}, acknowledged as ${send.message._id}`);
    }
  }
  const liveRequired = opts.liveRequired ?? ((send, client) => client.user._id === send.receiver._id);
  const pushCounts = new Map<ChatClient, Map<string, number>>();
  for (const client of opts.clients) {
    verdict.livePushes += client.received.length;
    pushCounts.set(
      client,
      countBy(client.received, (r) => r.message._id),
    );
    for (const { message } of client.received) {
      const send = byId.get(message._id) ?? byKey.get(message.message);
      if (!send || send.outcome === 'failed')
        verdict.unexpected.push(`${client.key} got unknown ${message._id}`);
      else if (message.receiverId !== client.user._id) {
        verdict.unexpected.push(`${client.key} got ${message._id} meant for ${message.receiverId}`);
      }
    }
  }
  for (const send of opts.sends) {
    const stored = storedByText.get(send.key) ?? 0;
    if (stored > 0) verdict.stored++;
    if (stored > 1) verdict.duplicated.push(`${send.key} stored ${stored} times`);
    if (send.outcome !== 'ok' || !send.message) continue;
    let ok = stored === 1;
    if (stored === 0) verdict.lost.push(`${send.key} (${send.message._id}) acknowledged but not stored`);
    for (const client of opts.clients) {
      if (client.user._id !== send.receiver._id) continue;
      const pushes = pushCounts.get(client)?.get(send.message._id) ?? 0;
      if (pushes > 1) verdict.duplicated.push(`${client.key} got ${send.message._id} ${pushes} times`);
      if (pushes > 1) ok = false;
      if (pushes > 0) continue;
      if (liveRequired(send, client)) {
        verdict.lost.push(`${client.key} never got ${send.message._id} live`);
        ok = false;
      } else verdict.missedLive++;
    }
    if (ok) verdict.delivered++;
  }
  return verdict;
}

/** One line for logs and docs/reliability.md. */
export function summarize(name: string, verdict: Verdict, extra: Record<string, unknown> = {}): string {
  const figures = {
    sent: verdict.sent,
    acknowledged: verdict.acknowledged,
    stored: verdict.stored,
    delivered: verdict.delivered,
    livePushes: verdict.livePushes,
    missedLive: verdict.missedLive,
    lost: verdict.lost.length,
    duplicated: verdict.duplicated.length,
    unexpected: verdict.unexpected.length,
    ...extra,
  };
  return `[faults] ${name}: ${JSON.stringify(figures)}`;
}
