import type { ChatClient, EventKind } from './chat-client.js';
import { request, type StoredMessage, type User } from './clients.js';
import type { MutationRecord } from './mutations.js';

/** Figures of one event kind over every socket that had to get it. */
export interface KindFigures {
  /** Deliveries owed: one per (event, socket of a party). */
  expected: number;
  received: number;
  lost: number;
  duplicated: number;
  /** Owed to a socket that could legitimately miss it (it was not connected), and missed. */
  missed: number;
  /** newMessage only: not pushed because the message was deleted first (its text never travels). */
  withdrawn?: number;
}

export interface EventVerdict {
  byKind: Partial<Record<EventKind, KindFigures>>;
  lost: string[];
  duplicated: string[];
  unexpected: string[];
}

/** The kinds that state a change to a message or a conversation: each must reach a socket once. */
export const STATE_EVENTS = ['messagesRead', 'messageUpdated', 'messageDeleted'] as const;

/** The message an event key names (see `eventKey`). */
function messageOf(kind: EventKind, key: string): string {
  const parts = key.split('|');
  return (kind === 'messagesRead' ? parts[2] : parts[0]) ?? '';
}

const partyOf = (m: MutationRecord, client: ChatClient) =>
  client.user._id === m.actor._id || client.user._id === m.peer._id;

export const emptyFigures = (): KindFigures => ({
  expected: 0,
  received: 0,
  lost: 0,
  duplicated: 0,
  missed: 0,
});

/**
 * Judge every acknowledged mutation's event against every socket of both parties: received once (ok),
 * never (lost, unless `required` says the socket could miss it), or more than once (duplicated). An event
 * about a message no mutation of the socket's user touched is unexpected.
 */
export function checkEvents(
  mutations: MutationRecord[],
  clients: ChatClient[],
  required: (m: MutationRecord, client: ChatClient) => boolean,
): EventVerdict {
  const verdict: EventVerdict = { byKind: {}, lost: [], duplicated: [], unexpected: [] };
  const figures = (kind: EventKind) => {
    verdict.byKind[kind] ??= emptyFigures();
    return verdict.byKind[kind];
  };
  for (const kind of STATE_EVENTS) figures(kind);
  for (const m of mutations) {
    if (m.outcome !== 'ok' || !m.event) continue;
    const { kind, key } = m.event;
    for (const client of clients.filter((c) => partyOf(m, c))) {
      const f = figures(kind);
      f.expected++;
      const times = client.events.filter((e) => e.kind === kind && e.key === key).length;
      if (times > 1) {
        f.duplicated++;
        verdict.duplicated.push(`${client.key} got ${kind} ${key} ${times} times`);
      } else if (times === 0 && required(m, client)) {
        f.lost++;
        verdict.lost.push(`${client.key} never got ${kind} ${key}`);
      } else if (times === 0) f.missed++;
    }
  }
  for (const client of clients) {
    for (const event of client.events.filter((e) => (STATE_EVENTS as readonly string[]).includes(e.kind))) {
      figures(event.kind).received++;
      const about = messageOf(event.kind, event.key);
      const known = mutations.some(
        (m) => m.outcome !== 'failed' && m.messageId === about && partyOf(m, client),
      );
      if (!known) verdict.unexpected.push(`${client.key} got ${event.kind} ${event.key} nobody caused`);
    }
  }
  return verdict;
}

/**
 * What the storage must show for the acknowledged mutations: an edited message carries its new text, a
 * deleted one is a tombstone, and each reader's mark is at or past the furthest read acknowledged, at a
 * read that was asked for (one without an answer may have landed).
 */
export async function checkStoredMutations(
  baseUrl: string,
  mutations: MutationRecord[],
  history: Array<StoredMessage & { editedAt?: string; deletedAt?: string }>,
): Promise<string[]> {
  const lost: string[] = [];
  const byId = new Map(history.map((m) => [m._id, m]));
  const marks = new Map<string, { reader: User; peerId: string; acked: string; asked: Set<string> }>();
  for (const m of mutations.filter((x) => x.outcome !== 'failed')) {
    const stored = byId.get(m.messageId);
    const acked = m.outcome === 'ok';
    if (acked && m.kind === 'edit' && (stored?.message !== m.text || !stored?.editedAt))
      lost.push(`edit of ${m.messageId} not in history`);
    if (acked && m.kind === 'delete' && (stored?.message !== '' || !stored?.deletedAt))
      lost.push(`delete of ${m.messageId} not in history`);
    if (m.kind !== 'read') continue;
    const pair = `${m.actor._id}:${m.peer._id}`;
    const mark = marks.get(pair) ?? { reader: m.actor, peerId: m.peer._id, acked: '', asked: new Set() };
    mark.asked.add(m.messageId);
    if (acked && mark.acked < m.messageId) mark.acked = m.messageId;
    marks.set(pair, mark);
  }
  for (const { reader, peerId, acked, asked } of marks.values()) {
    const reply = await request<Array<{ peerId: string; lastReadId: string | null }>>(
      baseUrl,
      '/api/conversations?limit=100',
      { cookie: reader.cookie },
    );
    const found = Array.isArray(reply.body) ? reply.body.find((c) => c.peerId === peerId) : undefined;
    const mark = found?.lastReadId ?? '';
    if (mark < acked || (mark !== '' && !asked.has(mark)))
      lost.push(
        `${reader.username} read up to ${acked || 'nothing acknowledged'}, the conversation says ${mark}`,
      );
  }
  return lost;
}
