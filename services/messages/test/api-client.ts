import { conversationReply, deleteMessageReply, messageReply, readConversationReply } from '@chat/shared/api';
import { newEventEnvelope, userBlockedEvent } from '@chat/shared/events';
import { bearerFor, publishRaw, testEnv, waitFor } from '@chat/shared/testing';
import { ObjectId } from 'mongodb';
import { z } from 'zod';
import type { TestApp } from './support.js';

/** Any request as `caller`; `body` is sent as given (JSON), so tests can send anything. */
export function call(
  t: TestApp,
  caller: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${t.url}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      'x-internal-token': bearerFor(caller).internalToken,
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function expectJson<S extends z.ZodType>(
  res: Response,
  status: number,
  schema: S,
): Promise<z.output<S>> {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${await res.text()}`);
  return schema.parse(await res.json());
}

export const conversationsOk = async (t: TestApp, caller: string, query = '') =>
  expectJson(await call(t, caller, 'GET', `/api/conversations${query}`), 200, z.array(conversationReply));

export const readOk = async (t: TestApp, reader: string, peer: string, upTo: string) =>
  expectJson(
    await call(t, reader, 'POST', `/api/messages/read/${peer}`, { upTo }),
    200,
    readConversationReply,
  );

export const editOk = async (t: TestApp, caller: string, messageId: string, message: string) =>
  expectJson(await call(t, caller, 'PATCH', `/api/messages/${messageId}`, { message }), 200, messageReply);

export const deleteOk = async (t: TestApp, caller: string, messageId: string) =>
  expectJson(await call(t, caller, 'DELETE', `/api/messages/${messageId}`), 200, deleteMessageReply);

/**
 * Publish `user.blocked` or `user.unblocked` as the users service would, and wait until this app applied it
 * (its occurredAt is recorded on the pair's conversation). Returns the event.
 */
export async function publishBlockChange(
  t: TestApp,
  kind: 'user.blocked' | 'user.unblocked',
  blockerId: string,
  blockedId: string,
  occurredAt = new Date(),
) {
  const event = userBlockedEvent.parse({
    ...newEventEnvelope(),
    occurredAt: occurredAt.toISOString(),
    blockerId,
    blockedId,
  });
  await publishRaw(testEnv().amqpUrl, kind, event, { namespace: t.namespace });
  const pairKey = [blockerId, blockedId].sort().join(':');
  await waitFor(
    async () => {
      const doc = await t.db.collection('conversations').findOne({ pairKey });
      const applied: unknown = doc?.blockChangedAt?.[blockerId];
      return applied instanceof Date && applied.getTime() >= occurredAt.getTime();
    },
    { message: `${kind} was not applied` },
  );
  return event;
}

/** The stored message document, straight from the database. */
export function storedMessage(t: TestApp, id: string) {
  return t.db.collection('messages').findOne({ _id: new ObjectId(id) });
}
