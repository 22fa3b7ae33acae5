import type { SequencedEvent, SyncAck, SyncedEvent } from '@chat/shared/sockets';
import type { UserSeqStore } from '../data-access/user-seq.store.js';

/**
 * `sync`: the events recorded in `userId`'s sequence after `since`, in order, each with its data as it
 * was emitted (its `seq` included), or `resync` when `since` is older than what is kept. Reads only, so
 * asking twice gives the same answer. `since` '' asks for the current seq alone (a client's start).
 */
export async function syncSince(
  deps: { seqs: UserSeqStore },
  userId: string,
  since: string,
): Promise<Exclude<SyncAck, { ok: false }>> {
  const read = await deps.seqs.readSince(userId, since);
  if ('resync' in read) return { ok: true, seq: read.seq, resync: true };
  const events: SyncedEvent[] = read.events.map((recorded) => ({
    event: recorded.event as SequencedEvent,
    data: { seq: recorded.seq, ...(JSON.parse(recorded.dataJson) as object) },
  }));
  return { ok: true, seq: read.seq, events };
}
