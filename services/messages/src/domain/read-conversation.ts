import type { ConversationRepository, StoredConversation } from '../data-access/conversation.repository.js';
import type { MessageRepository, StoredMessage } from '../data-access/message.repository.js';
import { messagesErrors } from '../errors.js';
import { pairKeyOf } from './pair-key.js';

export interface ReadResult {
  conversationId: string;
  upTo: string;
  unreadCount: number;
}

/** The peer's messages after `readerId`'s mark: a difference of two kept counters, never a scan. */
export function unreadCountOf(conversation: StoredConversation, readerId: string, peerId: string): number {
  const sent = conversation.sent[peerId] ?? 0;
  const seen = conversation.reads[readerId]?.seen ?? 0;
  return Math.max(0, sent - seen);
}

type ReadDeps = {
  messages: MessageRepository;
  conversations: ConversationRepository;
  notifyOutbox: () => void;
};
type ReadInput = { readerId: string; peerId: string; upTo: string; correlationId?: string };

/**
 * Move the mark, covering the peer's messages up to `upTo`. The message carries the peer's running count up
 * to it (its `seq` when the peer sent it, the `peerSeq` snapshot when the reader did). Reading up to the
 * newest message covers everything counted so far, which also absorbs numbering races between concurrent
 * sends; that is applied only if no send landed in between, else the message's own count is used.
 */
async function moveMark(
  deps: ReadDeps,
  input: ReadInput,
  message: StoredMessage,
  conversation: StoredConversation,
) {
  const at = new Date();
  const base = { conversationId: conversation._id, ...input, at };
  const ownCount = message.senderId === input.peerId ? message.seq : message.peerSeq;
  const newest = conversation.lastMessageId;
  if (newest !== null && newest <= input.upTo) {
    const peerSent = conversation.sent[input.peerId] ?? 0;
    const marked = await deps.conversations.markRead({
      ...base,
      seen: Math.max(ownCount, peerSent),
      ifUnchanged: { lastMessageId: newest, peerSent },
    });
    if (marked) return marked;
  }
  return deps.conversations.markRead({ ...base, seen: ownCount });
}

/**
 * Mark the conversation with `peerId` read up to the message `upTo`, which must belong to it (else 404). The
 * mark only moves forward: an older `upTo` changes nothing and answers the current mark. The mark and its
 * `conversation.read` event are one write.
 */
export async function readConversation(deps: ReadDeps, input: ReadInput): Promise<ReadResult> {
  const { readerId, peerId, upTo } = input;
  if (readerId === peerId) throw messagesErrors.messageNotFound();
  const [message, conversation] = await Promise.all([
    deps.messages.findById(upTo),
    deps.conversations.findByPairKey(pairKeyOf(readerId, peerId)),
  ]);
  if (!message || !conversation || message.conversationId !== conversation._id) {
    throw messagesErrors.messageNotFound();
  }
  const conversationId = conversation._id;
  const marked = await moveMark(deps, input, message, conversation);
  if (marked) deps.notifyOutbox();
  const current = marked ?? (await deps.conversations.findById(conversationId)) ?? conversation;
  return {
    conversationId,
    upTo: current.reads[readerId]?.upTo ?? upTo,
    unreadCount: unreadCountOf(current, readerId, peerId),
  };
}
