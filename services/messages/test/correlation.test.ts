import { randomUUID } from 'node:crypto';
import type { RoutingKey } from '@chat/shared/events';
import { CORRELATION_HEADER } from '@chat/shared/messaging';
import type { CollectedMessage, EventCollector } from '@chat/shared/testing';
import { waitFor } from '@chat/shared/testing';
import { describe, expect, test } from 'vitest';
import { call } from './api-client.js';
import { messageReply, registerUsers, send, sendOk, useEvents, useTestApp } from './support.js';

const t = useTestApp();
const created = useEvents(t, 'message.created');
const updated = useEvents(t, 'message.updated');
const deleted = useEvents(t, 'message.deleted');
const reads = useEvents(t, 'conversation.read');

/** The published message (event and AMQP properties) that `match` picks. */
function published<K extends RoutingKey>(
  collector: EventCollector<K>,
  match: (m: CollectedMessage<K>) => boolean,
): Promise<CollectedMessage<K>> {
  return waitFor(
    () => {
      const found = collector.messages.find(match);
      if (!found) throw new Error('not yet');
      return found;
    },
    { message: 'the event was not published' },
  );
}

describe('the request id of a change rides its event', () => {
  test('send, edit, read and delete each publish their event with the x-request-id of their request', async () => {
    const [alice, bob] = await registerUsers(t, 2);
    if (!alice || !bob) throw new Error('fixtures');
    const ids = { send: `send-${randomUUID()}`, edit: `edit-${randomUUID()}`, read: `read-${randomUUID()}` };
    const deleteId = `delete-${randomUUID()}`;

    const sent = await sendOk(t, alice, bob, 'traced', { 'x-request-id': ids.send });
    const path = `/api/messages/${sent._id}`;
    const edit = await call(
      t,
      alice,
      'PATCH',
      path,
      { message: 'traced, edited' },
      { 'x-request-id': ids.edit },
    );
    expect(edit.status).toBe(200);
    const read = await call(
      t,
      bob,
      'POST',
      `/api/messages/read/${alice}`,
      { upTo: sent._id },
      {
        'x-request-id': ids.read,
      },
    );
    expect(read.status).toBe(200);
    const erase = await call(t, alice, 'DELETE', path, undefined, { 'x-request-id': deleteId });
    expect(erase.status).toBe(200);

    const headerOf = (m: { properties: { headers?: Record<string, unknown> } }) =>
      m.properties.headers?.[CORRELATION_HEADER];
    expect(headerOf(await published(created, (m) => m.event.message._id === sent._id))).toBe(ids.send);
    expect(headerOf(await published(updated, (m) => m.event.message._id === sent._id))).toBe(ids.edit);
    expect(headerOf(await published(reads, (m) => m.event.upTo === sent._id))).toBe(ids.read);
    expect(headerOf(await published(deleted, (m) => m.event.message._id === sent._id))).toBe(deleteId);
  });

  test('a request without an id gets a fresh one, echoed in the reply and carried by its event', async () => {
    const [alice, bob] = await registerUsers(t, 2);
    if (!alice || !bob) throw new Error('fixtures');

    const res = await send(t, alice, bob, { message: 'untraced by the caller' });
    expect(res.status).toBe(201);
    const requestId = res.headers.get('x-request-id');
    const sent = messageReply.parse(await res.json());

    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const event = await published(created, (m) => m.event.message._id === sent._id);
    expect(event.properties.headers?.[CORRELATION_HEADER]).toBe(requestId);
  });
});
