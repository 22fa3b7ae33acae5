import type {
  BlockReply,
  ConversationReply,
  DeleteMessageReply,
  MessageReply,
  ReadConversationReply,
} from '@chat/shared/api';
import { expect } from 'vitest';
import { browser, type Reply, type SignedUpUser } from './browser.js';

/** The v2 routes (conversations, reads, edits, deletes, blocking) as a browser page calls them. */
export function chatApi(gatewayUrl: string, user: SignedUpUser) {
  const client = browser(gatewayUrl, user.cookie);
  return {
    conversations: (query = '') => client.get<ConversationReply[]>(`/api/conversations${query}`),
    history: (peer: { _id: string }) => client.get<MessageReply[]>(`/api/messages/${peer._id}?limit=200`),
    read: (peerId: string, body: unknown) =>
      client.post<ReadConversationReply>(`/api/messages/read/${peerId}`, body),
    edit: (messageId: string, body: unknown) =>
      client.patch<MessageReply>(`/api/messages/${messageId}`, body),
    remove: (messageId: string) => client.delete<DeleteMessageReply>(`/api/messages/${messageId}`),
    block: (userId: string) => client.post<BlockReply>(`/api/users/block/${userId}`),
    unblock: (userId: string) => client.delete<BlockReply>(`/api/users/block/${userId}`),
    /** One send attempt, whatever its answer (the blocking tests wait for a 403). */
    trySend: (to: { _id: string }, text: string) =>
      client.post<{ _id: string; error?: string }>(`/api/messages/send/${to._id}`, { message: text }),
  };
}

export type ChatApi = ReturnType<typeof chatApi>;

/** Asserts a 200 and returns the body. */
export function ok<T>(reply: Reply<T>): T {
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body;
}

/** `user`'s conversation with `peer` from GET /api/conversations (200 asserted), or undefined. */
export async function conversationWith(
  api: ChatApi,
  peer: { _id: string },
): Promise<ConversationReply | undefined> {
  return ok(await api.conversations()).find((c) => c.peerId === peer._id);
}
