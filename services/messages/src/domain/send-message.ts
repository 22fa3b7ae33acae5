import type { ConversationRepository } from '../data-access/conversation.repository.js';
import type { KnownUserRepository } from '../data-access/known-user.repository.js';
import type { MessageRepository, StoredMessage } from '../data-access/message.repository.js';
import { messagesErrors } from '../errors.js';
import type { KeyedSerializer } from './keyed-serializer.js';
import { pairKeyOf, sortedPair } from './pair-key.js';

export interface SendMessageDeps {
  messages: MessageRepository;
  conversations: ConversationRepository;
  knownUsers: KnownUserRepository;
  /** Tell the outbox relay there is something to publish (the message itself is the outbox entry). */
  notifyOutbox: () => void;
  /** One send at a time per conversation in this process (see sendMessage). */
  sendOrder: KeyedSerializer;
}

export interface SendMessageInput {
  senderId: string;
  receiverId: string;
  /** Already trimmed and length-checked at the edge. */
  text: string;
  idempotencyKey?: string;
  /** The request's id, stored and published with the message's creation event. */
  correlationId?: string;
}

// A key replays only the request it was first used for; reusing it for another one is a client bug.
// An edited or deleted message no longer holds the text it was sent with: only the receiver can be compared.
function replay(existing: StoredMessage, input: SendMessageInput): StoredMessage {
  const changed = existing.editedAt !== undefined || existing.deletedAt !== undefined;
  if (existing.receiverId !== input.receiverId || (!changed && existing.message !== input.text)) {
    throw messagesErrors.idempotencyKeyReused();
  }
  return existing;
}

/**
 * An identical retry stored its message first (same idempotency key): take back the count and the newest-id
 * this send recorded, then answer with the message the winner stored.
 */
async function answerLostRace(
  deps: SendMessageDeps,
  input: SendMessageInput,
  counted: { conversationId: string; senderSeq: number; messageId: string },
): Promise<StoredMessage> {
  const [newest] = await deps.messages.page(counted.conversationId, { limit: 1 });
  await deps.conversations.undoSend({
    conversationId: counted.conversationId,
    senderId: input.senderId,
    seq: counted.senderSeq,
    messageId: counted.messageId,
    newestStored: newest?._id ?? null,
  });
  const winner =
    input.idempotencyKey === undefined
      ? null
      : await deps.messages.findByIdempotencyKey(input.senderId, input.idempotencyKey);
  if (!winner) throw new Error('idempotency key conflict without a stored message');
  return replay(winner, input);
}

type StoreOutcome =
  | { inserted: true; message: StoredMessage }
  | { inserted: false; counted: { conversationId: string; senderSeq: number; messageId: string } };

/** Count the send on the conversation (refused while blocked), then insert the message. */
async function storeSend(
  deps: SendMessageDeps,
  input: SendMessageInput,
  pairKey: string,
): Promise<StoreOutcome> {
  const { senderId, receiverId, idempotencyKey, correlationId } = input;
  const messageId = deps.messages.newId();
  const counted = await deps.conversations.recordSend(
    pairKey,
    sortedPair(senderId, receiverId),
    senderId,
    messageId,
  );
  if (!counted) throw messagesErrors.blocked();
  const result = await deps.messages.insert({
    _id: messageId,
    conversationId: counted.conversationId,
    senderId,
    receiverId,
    message: input.text,
    seq: counted.senderSeq,
    peerSeq: counted.peerSeq,
    idempotencyKey,
    correlationId,
  });
  return result.inserted ? result : { inserted: false, counted: { ...counted, messageId } };
}

/**
 * Store a message from `senderId` to `receiverId`. With an idempotency key, a retry returns the first
 * message and stores/publishes nothing new, also when the retries race each other.
 */
export async function sendMessage(deps: SendMessageDeps, input: SendMessageInput): Promise<StoredMessage> {
  const { senderId, receiverId, idempotencyKey } = input;
  if (senderId === receiverId) throw messagesErrors.selfSend();
  if (idempotencyKey !== undefined) {
    const existing = await deps.messages.findByIdempotencyKey(senderId, idempotencyKey);
    if (existing) return replay(existing, input);
  }
  if (!(await deps.knownUsers.exists(receiverId))) throw messagesErrors.receiverNotFound();

  // The id is chosen before the conversation write so that one findOneAndUpdate counts the send, records it
  // as the newest message and refuses it when either user blocks the other. Sends of one conversation run one
  // at a time here, so their ids, createdAt and inserts keep one order: the outbox publishes by id, and a
  // send overtaken between choosing its id and its insert would be published after a later one.
  const pairKey = pairKeyOf(senderId, receiverId);
  const result = await deps.sendOrder.run(pairKey, () => storeSend(deps, input, pairKey));
  if (!result.inserted) return answerLostRace(deps, input, result.counted);
  deps.notifyOutbox();
  return result.message;
}
