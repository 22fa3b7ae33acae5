import type { ConversationRecord } from './conversation.model.js';

/** A conversation as the domain sees it: string ids, counters and marks per participant. */
export interface StoredConversation {
  _id: string;
  participants: [string, string];
  lastMessageId: string | null;
  sent: Record<string, number>;
  reads: Record<string, { upTo: string; seen: number; readAt: Date }>;
  blockedBy: string[];
}

export function toStoredConversation(doc: ConversationRecord): StoredConversation {
  const reads: StoredConversation['reads'] = {};
  for (const [userId, mark] of Object.entries(doc.reads ?? {})) {
    reads[userId] = { upTo: mark.upTo.toHexString(), seen: mark.seen, readAt: mark.readAt };
  }
  const [a, b] = doc.participants.map((p) => p.toHexString());
  return {
    _id: doc._id.toHexString(),
    participants: [a ?? '', b ?? ''],
    lastMessageId: doc.lastMessageId?.toHexString() ?? null,
    sent: { ...doc.sent },
    reads,
    blockedBy: (doc.blockedBy ?? []).map((id) => id.toHexString()),
  };
}
