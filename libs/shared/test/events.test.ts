import { describe, expect, test } from 'vitest';
import {
  EXCHANGE,
  eventSchemas,
  messageCreatedEvent,
  newEventEnvelope,
  ROUTING_KEYS,
  userRegisteredEvent,
} from '../src/events/index.js';
import { fakeMessageCreatedEvent, fakeUserRegisteredEvent } from '../src/testing/events.js';

describe('event schemas', () => {
  test('a user.registered event with a relative profilePic URL is valid', () => {
    const event = fakeUserRegisteredEvent({ user: { profilePic: '/api/auth/avatar/abc.svg' } });
    expect(userRegisteredEvent.parse(event)).toEqual(event);
  });

  test('unknown keys are rejected at the top level and inside the payload', () => {
    const event = fakeUserRegisteredEvent();
    expect(userRegisteredEvent.safeParse({ ...event, extra: 1 }).success).toBe(false);
    expect(userRegisteredEvent.safeParse({ ...event, user: { ...event.user, password: 'x' } }).success).toBe(
      false,
    );
  });

  type Overrides = { eventId?: string; occurredAt?: string; user?: Record<string, string> };
  test.each<[string, Overrides]>([
    ['a non-ObjectId user id', { user: { _id: 'not-an-id' } }],
    ['an upper-case ObjectId', { user: { _id: 'ABCDEF0123456789ABCDEF01' } }],
    ['an unknown gender', { user: { gender: 'other' } }],
    ['an empty profilePic', { user: { profilePic: '' } }],
    ['a non-ISO createdAt', { user: { createdAt: 'yesterday' } }],
    ['a non-UUID eventId', { eventId: '123' }],
    ['a non-ISO occurredAt', { occurredAt: '2024-01-01' }],
  ])('user.registered with %s is rejected', (_name, overrides) => {
    const base = fakeUserRegisteredEvent();
    const candidate = { ...base, ...overrides, user: { ...base.user, ...overrides.user } };
    expect(userRegisteredEvent.safeParse(candidate).success).toBe(false);
  });

  test('message text must be 1 to 2000 characters', () => {
    const withText = (message: string) => fakeMessageCreatedEvent({ message: { message } });
    expect(messageCreatedEvent.safeParse(withText('')).success).toBe(false);
    expect(messageCreatedEvent.safeParse(withText('x'.repeat(2001))).success).toBe(false);
    expect(messageCreatedEvent.safeParse(withText('x'.repeat(2000))).success).toBe(true);
  });

  test.each(['conversationId', 'senderId', 'receiverId'] as const)(
    'message.created requires an ObjectId %s',
    (key) => {
      const event = fakeMessageCreatedEvent({ message: { [key]: 'nope' } });
      expect(messageCreatedEvent.safeParse(event).success).toBe(false);
    },
  );

  test('newEventEnvelope gives a fresh UUID and the current time', () => {
    const before = Date.now();
    const a = newEventEnvelope();
    const b = newEventEnvelope();
    expect(a.eventId).not.toBe(b.eventId);
    expect(Date.parse(a.occurredAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(a.occurredAt)).toBeLessThanOrEqual(Date.now());
    expect(messageCreatedEvent.parse(fakeMessageCreatedEvent(a)).eventId).toBe(a.eventId);
  });

  test('every routing key has a schema, and names match the architecture', () => {
    expect(Object.keys(eventSchemas).sort()).toEqual(Object.values(ROUTING_KEYS).sort());
    expect(EXCHANGE).toBe('chat.events');
  });
});
