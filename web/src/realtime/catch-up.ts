import type { Seq, SequencedEvent, ServerToClientEvents, SyncedEvent } from '@chat/shared/sockets';
import { compareSeq } from '@chat/shared/sockets';
import { chatStore } from '../state/chat-store';
import { loadConversations, loadUsers } from '../state/directory-actions';
import { loadLatest, markRead } from '../state/thread-actions';
import { syncOverSocket } from './chat-socket';

/** A handler per recorded event, typed by the event's payload (without its `seq`). */
export type SequencedHandlers = {
  [E in SequencedEvent]: (data: Parameters<ServerToClientEvents[E]>[0]) => void;
};

const SEEN_LIMIT = 1_000;
let lastSeq: Seq | undefined;
// Seqs already applied: a live event and its replay by `sync` can both arrive around a reconnect.
let seen = new Set<Seq>();

/** Forgets the previous session's position (a new login starts from the current seq). */
export function resetSeq(): void {
  lastSeq = undefined;
  seen = new Set();
}

/** False when this seq was applied already; otherwise records it (and moves `lastSeq` forward). */
export function firstTimeSeen(seq: Seq | undefined): boolean {
  if (!seq) return true;
  if (seen.has(seq)) return false;
  seen.add(seq);
  if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value as Seq);
  if (!lastSeq || compareSeq(seq, lastSeq) > 0) lastSeq = seq;
  return true;
}

/** What a sync cannot replay is read back from the API and merged by `_id`, so nothing shows twice. */
async function reloadEverything(): Promise<void> {
  const { threads } = chatStore.get();
  await Promise.all([
    loadConversations(),
    ...Object.keys(threads)
      .filter((peerId) => threads[peerId]?.loaded)
      .map((peerId) => loadLatest(peerId)),
  ]);
}

function replay(events: SyncedEvent[], handlers: SequencedHandlers): void {
  for (const { event, data } of events) {
    const seq = (data as { seq?: Seq }).seq;
    if (firstTimeSeen(seq)) (handlers[event] as (data: unknown) => void)(data);
  }
}

/** Asks `sync` for what was recorded since the last seq seen; `{}` on the first connection only learns it. */
async function syncSince(handlers: SequencedHandlers): Promise<boolean> {
  const since = lastSeq;
  try {
    const ack = await syncOverSocket(since ? { since } : {});
    if (!ack?.ok) return false;
    if ('events' in ack) replay(ack.events, handlers);
    firstTimeSeen(ack.seq);
    // Without a `since` (the first sync failed) nothing was replayed: that needs a reload too.
    return since !== undefined && 'events' in ack;
  } catch {
    return false;
  }
}

/**
 * The one place that catches up after a (re)connect: `sync` replays the recorded events through the live
 * handlers; when it cannot (`resync`, error), the conversations and open threads are reloaded instead.
 */
export async function catchUp(handlers: SequencedHandlers, again: boolean): Promise<void> {
  const synced = await syncSince(handlers);
  if (!again) return;
  // Presence and statuses are not in the sequence: the directory tells them anew.
  await Promise.all([loadUsers(), synced ? Promise.resolve() : reloadEverything()]);
  const { selectedPeerId } = chatStore.get();
  if (selectedPeerId) void markRead(selectedPeerId);
}
