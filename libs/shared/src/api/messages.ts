import { z } from 'zod';
import { MESSAGE_MAX_LENGTH } from '../events/index.js';
import { isoDateTime, objectId, pageLimit } from './common.js';

/** The text of a send or an edit: trimmed, then 1 to MESSAGE_MAX_LENGTH characters. */
export const messageText = z.string().trim().min(1).max(MESSAGE_MAX_LENGTH);

export const sendMessageBody = z.strictObject({ message: messageText });
/** An edit follows the same rules as a send. */
export const editMessageBody = sendMessageBody;

// Visible ASCII only: the key is stored and compared byte for byte.
export const idempotencyKeyHeader = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1–200 visible ASCII characters');

export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 200;
export const historyQuery = z.strictObject({
  before: objectId.optional(),
  limit: pageLimit(HISTORY_MAX_LIMIT).optional(),
});

/**
 * A message as the API returns it. An edited one carries `editedAt`; a deleted one is a tombstone with
 * `message: ""` and `deletedAt`.
 */
export const messageReply = z.strictObject({
  _id: objectId,
  conversationId: objectId,
  senderId: objectId,
  receiverId: objectId,
  message: z.string().max(MESSAGE_MAX_LENGTH),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  editedAt: isoDateTime.optional(),
  deletedAt: isoDateTime.optional(),
});

export const deleteMessageReply = z.strictObject({
  _id: objectId,
  conversationId: objectId,
  deletedAt: isoDateTime,
});

export const readConversationBody = z.strictObject({ upTo: objectId });
export const readConversationReply = z.strictObject({
  conversationId: objectId,
  upTo: objectId,
  unreadCount: z.number().int().min(0),
});

export const CONVERSATIONS_DEFAULT_LIMIT = 30;
export const CONVERSATIONS_MAX_LIMIT = 100;
export const conversationsQuery = z.strictObject({
  before: objectId.optional(),
  limit: pageLimit(CONVERSATIONS_MAX_LIMIT).optional(),
});

export const conversationReply = z.strictObject({
  _id: objectId,
  peerId: objectId,
  lastMessage: messageReply,
  unreadCount: z.number().int().min(0),
  lastReadId: objectId.nullable(),
  peerLastReadId: objectId.nullable(),
});

export type MessageReply = z.infer<typeof messageReply>;
export type DeleteMessageReply = z.infer<typeof deleteMessageReply>;
export type ReadConversationReply = z.infer<typeof readConversationReply>;
export type ConversationReply = z.infer<typeof conversationReply>;
