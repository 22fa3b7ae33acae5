import { chatApi, PAGE_SIZE } from '../api/chat-api';
import type { ChatMessage } from '../api/types';
import { features } from '../features';
import { chatStore, emptyThread, showNotice, updateSummary, updateThread } from './chat-store';
import { errorMessage } from './directory-actions';
import { isAfter, mergeMessages, peerOf } from './merge-messages';

/** Records where a message belongs and makes it the conversation's latest when it is. */
export function noteMessage(message: ChatMessage): string {
  const me = chatStore.get().me?._id ?? '';
  const peerId = peerOf(message, me);
  chatStore.set((s) => ({
    peerByConversation: { ...s.peerByConversation, [message.conversationId]: peerId },
  }));
  updateSummary(peerId, (summary) => {
    const last = summary.lastMessage;
    const newer = !last || last._id === message._id || isAfter(message._id, last._id);
    return newer ? { ...summary, lastMessage: message } : summary;
  });
  return peerId;
}

/** Fetches the newest page and merges it; when it does not reach what is shown, it replaces it (a gap). */
export async function loadLatest(peerId: string): Promise<void> {
  try {
    const page = await chatApi.history(peerId);
    for (const message of page.slice(-1)) noteMessage(message);
    updateThread(peerId, (thread) => {
      const newestShown = thread.messages.at(-1)?._id;
      const overlaps =
        !newestShown || page.length < PAGE_SIZE || page.some((m) => !isAfter(m._id, newestShown));
      const messages = overlaps ? mergeMessages(thread.messages, page) : page;
      const hasMore = overlaps && thread.loaded ? thread.hasMore : page.length === PAGE_SIZE;
      return { ...thread, messages, hasMore, loaded: true };
    });
  } catch (error) {
    showNotice(errorMessage(error));
  }
}

export async function loadOlder(peerId: string): Promise<void> {
  const thread = chatStore.get().threads[peerId] ?? emptyThread;
  const oldest = thread.messages[0];
  if (!thread.loaded || !thread.hasMore || thread.loadingOlder || !oldest) return;
  updateThread(peerId, (t) => ({ ...t, loadingOlder: true }));
  try {
    const page = await chatApi.history(peerId, oldest._id);
    updateThread(peerId, (t) => ({
      ...t,
      messages: mergeMessages(t.messages, page),
      hasMore: page.length === PAGE_SIZE,
      loadingOlder: false,
    }));
  } catch (error) {
    updateThread(peerId, (t) => ({ ...t, loadingOlder: false }));
    showNotice(errorMessage(error));
  }
}

export function selectPeer(peerId: string | null): void {
  chatStore.set({ selectedPeerId: peerId, notice: null });
  if (!peerId) return;
  updateSummary(peerId, (summary) => ({ ...summary, unread: 0 }));
  if (!chatStore.get().threads[peerId]?.loaded) void loadLatest(peerId);
}

/** Adds a message to its thread (live push, own send, edit). */
export function addMessage(message: ChatMessage): void {
  const peerId = noteMessage(message);
  updateThread(peerId, (thread) => ({ ...thread, messages: mergeMessages(thread.messages, [message]) }));
}

export async function sendMessage(peerId: string, text: string): Promise<boolean> {
  try {
    addMessage(await chatApi.send(peerId, text));
    return true;
  } catch (error) {
    showNotice(errorMessage(error));
    return false;
  }
}

export async function editMessage(messageId: string, text: string): Promise<boolean> {
  try {
    addMessage(await chatApi.edit(messageId, text));
    return true;
  } catch (error) {
    showNotice(errorMessage(error));
    return false;
  }
}

/** Turns a shown message into its tombstone (after my delete, or the server's `messageDeleted`). */
export function applyDeleted(deleted: { _id: string; conversationId: string; deletedAt: string }): void {
  const peerId = chatStore.get().peerByConversation[deleted.conversationId];
  if (!peerId) return;
  const tombstone = (m: ChatMessage): ChatMessage =>
    m._id === deleted._id ? { ...m, message: '', deletedAt: deleted.deletedAt } : m;
  updateThread(peerId, (thread) => ({ ...thread, messages: thread.messages.map(tombstone) }));
  updateSummary(peerId, (s) => (s.lastMessage ? { ...s, lastMessage: tombstone(s.lastMessage) } : s));
}

export async function deleteMessage(messageId: string): Promise<void> {
  try {
    applyDeleted(await chatApi.remove(messageId));
  } catch (error) {
    showNotice(errorMessage(error));
  }
}

/** Tells the server I have seen the peer's newest message, when it is past my read mark. */
export async function markRead(peerId: string): Promise<void> {
  if (!features.readReceipts) return;
  const { threads, summaries, me } = chatStore.get();
  const latest = threads[peerId]?.messages.findLast((m) => m.senderId === peerId);
  if (!latest || !me || !isAfter(latest._id, summaries[peerId]?.lastReadId)) return;
  updateSummary(peerId, (s) => ({ ...s, lastReadId: latest._id, unread: 0 }));
  try {
    const mark = await chatApi.markRead(peerId, latest._id);
    updateSummary(peerId, (s) => ({ ...s, unread: mark.unreadCount }));
  } catch (error) {
    showNotice(errorMessage(error));
  }
}
