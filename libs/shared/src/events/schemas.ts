import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/** A MongoDB ObjectId as a 24-character lowercase hex string. */
export const objectId = z.string().regex(/^[0-9a-f]{24}$/, 'expected a 24-hex ObjectId');

/** ISO-8601 UTC timestamp as produced by `Date.prototype.toISOString()`. */
const isoDateTime = z.iso.datetime();

const envelope = {
  eventId: z.uuid(),
  occurredAt: isoDateTime,
};

export const userRegisteredEvent = z.strictObject({
  ...envelope,
  user: z.strictObject({
    _id: objectId,
    fullName: z.string().min(1),
    username: z.string().min(1),
    gender: z.enum(['male', 'female']),
    // A URL the browser can load; relative URLs (served by the gateway) are valid.
    profilePic: z.string().min(1),
    createdAt: isoDateTime,
  }),
});

/** The longest message text, in characters after trimming (sends and edits alike). */
export const MESSAGE_MAX_LENGTH = 2000;

const messageIdentity = {
  _id: objectId,
  conversationId: objectId,
  senderId: objectId,
  receiverId: objectId,
  createdAt: isoDateTime,
};

export const messageCreatedEvent = z.strictObject({
  ...envelope,
  message: z.strictObject({
    ...messageIdentity,
    message: z.string().min(1).max(MESSAGE_MAX_LENGTH),
  }),
});

/** A message after its sender edited it: the new text and when it was edited. */
export const messageUpdatedEvent = z.strictObject({
  ...envelope,
  message: z.strictObject({
    ...messageIdentity,
    message: z.string().min(1).max(MESSAGE_MAX_LENGTH),
    editedAt: isoDateTime,
  }),
});

/** A deleted message as it stays in history: its identity, no text, and when it was deleted. */
export const messageTombstone = z.strictObject({
  ...messageIdentity,
  message: z.literal(''),
  deletedAt: isoDateTime,
});

export const messageDeletedEvent = z.strictObject({
  ...envelope,
  message: messageTombstone,
});

/** `readerId` has read the conversation with `peerId` up to and including the message `upTo`. */
export const conversationReadEvent = z.strictObject({
  ...envelope,
  conversationId: objectId,
  readerId: objectId,
  peerId: objectId,
  upTo: objectId,
  readAt: isoDateTime,
});

const blockChange = {
  ...envelope,
  blockerId: objectId,
  blockedId: objectId,
};
/** `blockerId` blocked `blockedId`: no messages or typing between them, either way, until unblocked. */
export const userBlockedEvent = z.strictObject(blockChange);
export const userUnblockedEvent = z.strictObject(blockChange);

export type UserRegisteredEvent = z.infer<typeof userRegisteredEvent>;
export type MessageCreatedEvent = z.infer<typeof messageCreatedEvent>;
export type MessageUpdatedEvent = z.infer<typeof messageUpdatedEvent>;
export type MessageDeletedEvent = z.infer<typeof messageDeletedEvent>;
export type MessageTombstone = z.infer<typeof messageTombstone>;
export type ConversationReadEvent = z.infer<typeof conversationReadEvent>;
export type UserBlockedEvent = z.infer<typeof userBlockedEvent>;
export type UserUnblockedEvent = z.infer<typeof userUnblockedEvent>;

/** The schema of every event, by routing key. */
export const eventSchemas = {
  'user.registered': userRegisteredEvent,
  'message.created': messageCreatedEvent,
  'message.updated': messageUpdatedEvent,
  'message.deleted': messageDeletedEvent,
  'conversation.read': conversationReadEvent,
  'user.blocked': userBlockedEvent,
  'user.unblocked': userUnblockedEvent,
} as const;

export type RoutingKey = keyof typeof eventSchemas;
export type EventOf<K extends RoutingKey> = z.infer<(typeof eventSchemas)[K]>;

/** True when `key` names a known event. */
export function isRoutingKey(key: string): key is RoutingKey {
  return Object.hasOwn(eventSchemas, key);
}

/** A fresh event envelope: a random v4 `eventId` and `occurredAt` = now. */
export function newEventEnvelope(): { eventId: string; occurredAt: string } {
  return { eventId: randomUUID(), occurredAt: new Date().toISOString() };
}
