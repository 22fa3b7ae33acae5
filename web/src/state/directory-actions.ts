import { chatApi } from '../api/chat-api';
import { ApiError } from '../api/http-client';
import type { ConversationSummary, UserStatus } from '../api/types';
import { features } from '../features';
import { setStatusOverSocket } from '../realtime/chat-socket';
import { chatStore, showNotice, updateSummary } from './chat-store';

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError || error instanceof Error) return error.message;
  return 'Something went wrong.';
}

/** Loads the directory (or a search over it); presence and status from the reply seed the live picture. */
export async function loadUsers(query = chatStore.get().query): Promise<void> {
  chatStore.set({ query });
  try {
    const list = await chatApi.users(query.trim());
    if (chatStore.get().query !== query) return;
    chatStore.set((s) => {
      const users = { ...s.users };
      const online = { ...s.online };
      const statuses = { ...s.statuses };
      const statusUntil = { ...s.statusUntil };
      for (const user of list) {
        users[user._id] = user;
        statuses[user._id] = user.status;
        statusUntil[user._id] = user.statusUntil ?? null;
        if (user.online) online[user._id] = true;
        else delete online[user._id];
      }
      return { users, online, statuses, statusUntil, userOrder: list.map((u) => u._id) };
    });
  } catch (error) {
    showNotice(errorMessage(error));
  }
}

function applyConversation(c: ConversationSummary): void {
  chatStore.set((s) => ({ peerByConversation: { ...s.peerByConversation, [c._id]: c.peerId } }));
  updateSummary(c.peerId, (summary) => ({
    ...summary,
    lastMessage: c.lastMessage,
    unread: chatStore.get().selectedPeerId === c.peerId ? 0 : c.unreadCount,
    lastReadId: c.lastReadId,
    peerLastReadId: c.peerLastReadId,
  }));
}

/** Last messages, unread counts and read marks of my conversations. */
export async function loadConversations(): Promise<void> {
  if (!features.conversations) return;
  try {
    for (const conversation of await chatApi.conversations()) applyConversation(conversation);
  } catch (error) {
    showNotice(errorMessage(error));
  }
}

/** `until` (ISO): Busy ends by itself then; the server switches me back and says so with `userStatus`. */
export async function changeStatus(status: UserStatus, until?: string): Promise<void> {
  try {
    const ack = await setStatusOverSocket(until ? { status, until } : status);
    if (!ack.ok) return showNotice(ack.error);
    chatStore.set({ myStatus: ack.status, myStatusUntil: ack.statusUntil ?? null });
  } catch (error) {
    showNotice(
      error instanceof Error && error.message.includes('timed out')
        ? 'No answer from the server.'
        : errorMessage(error),
    );
  }
}

export async function setBlocked(userId: string, blocked: boolean): Promise<void> {
  try {
    const reply = blocked ? await chatApi.block(userId) : await chatApi.unblock(userId);
    chatStore.set((s) => {
      const user = s.users[userId];
      return user ? { users: { ...s.users, [userId]: { ...user, blocked: reply.blocked } } } : {};
    });
  } catch (error) {
    showNotice(errorMessage(error));
  }
}

const DIRECTORY_RETRY_MS = 1_000;
let refreshing: Promise<void> | undefined;

/**
 * Someone unknown came online (signed up after the list was loaded). The directory learns of new users
 * through an event, so it may lag a moment: a few retries until they show.
 */
export function learnAbout(userId: string): void {
  if (refreshing || chatStore.get().users[userId] || userId === chatStore.get().me?._id) return;
  refreshing = (async () => {
    for (let attempt = 0; attempt < 3 && !chatStore.get().users[userId]; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, DIRECTORY_RETRY_MS));
      if (!chatStore.get().me) return;
      await loadUsers();
    }
  })().finally(() => {
    refreshing = undefined;
  });
}
