import type { ChatMessage } from '../api/types';

/** Orders by creation time, then id (ObjectIds grow with time), so merges of overlapping pages agree. */
function compare(a: ChatMessage, b: ChatMessage): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a._id < b._id ? -1 : a._id > b._id ? 1 : 0;
}

/** One list, each `_id` once (the later copy wins: an edit or tombstone replaces the original). */
export function mergeMessages(existing: ChatMessage[], incoming: ChatMessage[]): ChatMessage[] {
  const byId = new Map(existing.map((m) => [m._id, m]));
  for (const message of incoming) byId.set(message._id, { ...byId.get(message._id), ...message });
  return [...byId.values()].sort(compare);
}

/** True when `a` was created after `b` (ObjectId order; ids are same-length hex strings). */
export function isAfter(a: string, b: string | null | undefined): boolean {
  return !b || a > b;
}

/** The peer of `message` from my point of view. */
export function peerOf(message: ChatMessage, myId: string): string {
  return message.senderId === myId ? message.receiverId : message.senderId;
}
