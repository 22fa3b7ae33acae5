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

export const messageCreatedEvent = z.strictObject({
  ...envelope,
  message: z.strictObject({
    _id: objectId,
    conversationId: objectId,
    senderId: objectId,
    receiverId: objectId,
    message: z.string().min(1).max(2000),
    createdAt: isoDateTime,
  }),
});

export type UserRegisteredEvent = z.infer<typeof userRegisteredEvent>;
export type MessageCreatedEvent = z.infer<typeof messageCreatedEvent>;

/** The schema of every event, by routing key. */
export const eventSchemas = {
  'user.registered': userRegisteredEvent,
  'message.created': messageCreatedEvent,
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
