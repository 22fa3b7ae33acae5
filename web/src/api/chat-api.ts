import { request } from './http-client';
import type { ChatMessage, ConversationSummary, DirectoryUser, Me, ReadMark, SignupInput } from './types';

export const PAGE_SIZE = 30;

const id = (value: string) => encodeURIComponent(value);

/** Every call the client makes, one function per route of the gateway's API. */
export const chatApi = {
  me: () => request<Me>('GET', '/api/auth/me'),
  login: (username: string, password: string) =>
    request<Me>('POST', '/api/auth/login', { username, password }),
  signup: (input: SignupInput) => request<Me>('POST', '/api/auth/signup', input),
  logout: () => request<{ message: string }>('POST', '/api/auth/logout'),
  logoutAll: () => request<{ message: string }>('POST', '/api/auth/logout-all'),

  users: (query = '') =>
    request<DirectoryUser[]>('GET', `/api/users${query ? `?q=${encodeURIComponent(query)}` : ''}`),
  block: (userId: string) =>
    request<{ userId: string; blocked: boolean }>('POST', `/api/users/block/${id(userId)}`),
  unblock: (userId: string) =>
    request<{ userId: string; blocked: boolean }>('DELETE', `/api/users/block/${id(userId)}`),

  history: (peerId: string, before?: string, limit = PAGE_SIZE) => {
    const params = new URLSearchParams({ limit: String(limit) });
    if (before) params.set('before', before);
    return request<ChatMessage[]>('GET', `/api/messages/${id(peerId)}?${params}`);
  },
  send: (peerId: string, message: string) =>
    request<ChatMessage>('POST', `/api/messages/send/${id(peerId)}`, { message }),
  edit: (messageId: string, message: string) =>
    request<ChatMessage>('PATCH', `/api/messages/${id(messageId)}`, { message }),
  remove: (messageId: string) =>
    request<{ _id: string; conversationId: string; deletedAt: string }>(
      'DELETE',
      `/api/messages/${id(messageId)}`,
    ),
  conversations: () => request<ConversationSummary[]>('GET', '/api/conversations?limit=100'),
  markRead: (peerId: string, upTo: string) =>
    request<ReadMark>('POST', `/api/messages/read/${id(peerId)}`, { upTo }),
};
