import type { ChatClient } from './chat-client.js';
import { fullHistory, type StoredMessage, type User } from './clients.js';
import { checkEvents, checkStoredMutations, type EventVerdict, emptyFigures } from './event-checker.js';
import type { SendRecord } from './load.js';
import type { MutationRecord } from './mutations.js';

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
  /** Per event kind (newMessage and the state events of the mutations): owed, received, lost, duplicated. */
  byKind: EventVerdict['byKind'];
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
  /** Reads, edits and deletes performed during the scenario, judged like the sends. */
  mutations?: MutationRecord[];
  /** Must `client` have received the event of `mutation`? Default: yes, for every socket of both parties. */
  eventRequired?: (mutation: MutationRecord, client: ChatClient) => boolean;
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

type HistoryMessage = StoredMessage & { editedAt?: string; deletedAt?: string };

/** The send a stored message came from: by its text, or by its id once an edit or a delete changed the text. */
function sendLookup(sends: SendRecord[]) {
  const byKey = new Map(sends.map((s) => [s.key, s]));
  const byId = new Map(sends.flatMap((s) => (s.message ? [[s.message._id, s] as const] : [])));
  return {
    ofStored: (m: HistoryMessage) => (m.editedAt || m.deletedAt ? byId.get(m._id) : byKey.get(m.message)),
    ofPush: (m: { _id: string; message: string }) => byId.get(m._id) ?? byKey.get(m.message),
  };
}

function judgeHistory(history: HistoryMessage[], lookup: ReturnType<typeof sendLookup>, verdict: Verdict) {
  for (const message of history) {
    const send = lookup.ofStored(message);
    if (!send) verdict.unexpected.push(`history holds a message nobody sent: ${message._id}`);
    else if (send.outcome === 'failed') verdict.unexpected.push(`refused send ${send.key} was stored`);
    else if (send.message && send.message._id !== message._id) {
      verdict.unexpected.push(`${send.key} stored as ${message._id}, acknowledged as ${send.message._id}`);
    }
  }
}

function judgePushes(opts: CheckOptions, lookup: ReturnType<typeof sendLookup>, verdict: Verdict) {
  const pushCounts = new Map<ChatClient, Map<string, number>>();
  for (const client of opts.clients) {
    verdict.livePushes += client.received.length;
    pushCounts.set(
      client,
      countBy(client.received, (r) => r.message._id),
    );
    for (const { message } of client.received) {
      const send = lookup.ofPush(message);
      if (!send || send.outcome === 'failed')
        verdict.unexpected.push(`${client.key} got unknown ${message._id}`);
      else if (message.receiverId !== client.user._id) {
        verdict.unexpected.push(`${client.key} got ${message._id} meant for ${message.receiverId}`);
      }
    }
  }
  return pushCounts;
}

/** Each acknowledged send: stored once, and pushed once to every socket of its receiver that had to get it. */
function judgeSends(
  opts: CheckOptions,
  storedByKey: Map<string, number>,
  pushCounts: Map<ChatClient, Map<string, number>>,
  verdict: Verdict,
) {
  const pushes = verdict.byKind.newMessage ?? emptyFigures();
  pushes.received = verdict.livePushes;
  // A message deleted meanwhile may never be pushed: the node may learn of the delete first.
  const deleted = new Set(
    (opts.mutations ?? [])
      .filter((m) => m.kind === 'delete' && m.outcome !== 'failed')
      .map((m) => m.messageId),
  );
  const liveRequired = opts.liveRequired ?? ((send, client) => client.user._id === send.receiver._id);
  for (const send of opts.sends) {
    const stored = storedByKey.get(send.key) ?? 0;
    if (stored > 0) verdict.stored++;
    if (stored > 1) verdict.duplicated.push(`${send.key} stored ${stored} times`);
    if (send.outcome !== 'ok' || !send.message) continue;
    let ok = stored === 1;
    if (stored === 0) verdict.lost.push(`${send.key} (${send.message._id}) acknowledged but not stored`);
    for (const client of opts.clients) {
      if (client.user._id !== send.receiver._id) continue;
      pushes.expected++;
      const times = pushCounts.get(client)?.get(send.message._id) ?? 0;
      if (times > 1) {
        verdict.duplicated.push(`${client.key} got ${send.message._id} ${times} times`);
        pushes.duplicated++;
        ok = false;
      }
      if (times > 0) continue;
      if (deleted.has(send.message._id)) pushes.withdrawn = (pushes.withdrawn ?? 0) + 1;
      else if (liveRequired(send, client)) {
        verdict.lost.push(`${client.key} never got ${send.message._id} live`);
        pushes.lost++;
        ok = false;
      } else {
        verdict.missedLive++;
        pushes.missed++;
      }
    }
    if (ok) verdict.delivered++;
  }
}

/** Classify every id the load sent, and every event the mutations announced, as delivered, lost, duplicated or unexpected. */
export async function check(opts: CheckOptions): Promise<Verdict> {
  const history: HistoryMessage[] = await readHistories(opts);
  const lookup = sendLookup(opts.sends);
  const mutations = opts.mutations ?? [];
  const events = checkEvents(mutations, opts.clients, opts.eventRequired ?? (() => true));
  const verdict: Verdict = {
    sent: opts.sends.length,
    acknowledged: opts.sends.filter((s) => s.outcome === 'ok').length,
    failed: opts.sends.filter((s) => s.outcome === 'failed').length,
    unknown: opts.sends.filter((s) => s.outcome === 'unknown').length,
    stored: 0,
    delivered: 0,
    livePushes: 0,
    missedLive: 0,
    byKind: { newMessage: emptyFigures(), ...events.byKind },
    lost: [...events.lost, ...(await checkStoredMutations(opts.baseUrl, mutations, history))],
    duplicated: [...events.duplicated],
    unexpected: [...events.unexpected],
  };
  judgeHistory(history, lookup, verdict);
  const storedByKey = countBy(history, (m) => lookup.ofStored(m)?.key ?? `unknown:${m._id}`);
  const pushCounts = judgePushes(opts, lookup, verdict);
  judgeSends(opts, storedByKey, pushCounts, verdict);
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
