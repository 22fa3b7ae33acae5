import type { LiveMessage, MessagesRead } from '@chat/shared/sockets';
import type { ChatMessage } from '../api/types';
import { chatStore, updateSummary } from '../state/chat-store';
import { learnAbout, loadConversations, loadUsers } from '../state/directory-actions';
import { isAfter } from '../state/merge-messages';
import { sessionExpired } from '../state/session-actions';
import { addMessage, applyDeleted, loadLatest, markRead } from '../state/thread-actions';
import type { ChatSocket, SocketHooks } from './chat-socket';

export const TYPING_EXPIRY_MS = 6_000;

function isViewing(peerId: string): boolean {
  return chatStore.get().selectedPeerId === peerId && document.visibilityState === 'visible';
}

function onNewMessage(message: LiveMessage): void {
  addMessage(message);
  chatStore.set((s) => {
    const typingUntil = { ...s.typingUntil };
    delete typingUntil[message.senderId];
    return { typingUntil };
  });
  if (isViewing(message.senderId)) void markRead(message.senderId);
  else updateSummary(message.senderId, (s) => ({ ...s, unread: s.unread + 1 }));
  learnAbout(message.senderId);
}

function onMessagesRead(read: MessagesRead): void {
  const { me, peerByConversation } = chatStore.get();
  const peerId = peerByConversation[read.conversationId];
  if (!peerId || !me) return;
  if (read.readerId === me._id) {
    updateSummary(peerId, (s) => {
      const caughtUp = !s.lastMessage || !isAfter(s.lastMessage._id, read.upTo);
      return { ...s, lastReadId: read.upTo, unread: caughtUp ? 0 : s.unread };
    });
  } else {
    updateSummary(peerId, (s) =>
      isAfter(read.upTo, s.peerLastReadId) ? { ...s, peerLastReadId: read.upTo } : s,
    );
  }
}

/** An edit replaces the text of a message already shown; one not loaded yet will come with its page. */
function onMessageUpdated(message: ChatMessage): void {
  const peerId = chatStore.get().peerByConversation[message.conversationId];
  if (!peerId) return;
  const shown = chatStore.get().threads[peerId]?.messages.some((m) => m._id === message._id);
  if (shown) addMessage(message);
  else
    updateSummary(peerId, (s) => (s.lastMessage?._id === message._id ? { ...s, lastMessage: message } : s));
}

function bind(socket: ChatSocket): void {
  socket.on('getOnlineUsers', (ids) =>
    chatStore.set({ online: Object.fromEntries(ids.map((id) => [id, true])) }),
  );
  socket.on('presence', ({ userId, online }) => {
    chatStore.set((s) => {
      const next = { ...s.online };
      if (online) next[userId] = true;
      else delete next[userId];
      return { online: next };
    });
    if (online) learnAbout(userId);
  });
  socket.on('userStatus', ({ userId, status }) => {
    if (userId === chatStore.get().me?._id) chatStore.set({ myStatus: status });
    else chatStore.set((s) => ({ statuses: { ...s.statuses, [userId]: status } }));
  });
  socket.on('newMessage', onNewMessage);
  socket.on('messageDelivery', ({ messageId, state }) =>
    chatStore.set((s) => ({ deliveries: { ...s.deliveries, [messageId]: state } })),
  );
  socket.on('messagesRead', onMessagesRead);
  socket.on('messageUpdated', onMessageUpdated);
  socket.on('messageDeleted', applyDeleted);
  socket.on('typing', ({ from, typing }) =>
    chatStore.set((s) => {
      const typingUntil = { ...s.typingUntil };
      if (typing) typingUntil[from] = Date.now() + TYPING_EXPIRY_MS;
      else delete typingUntil[from];
      return { typingUntil };
    }),
  );
}

/**
 * The one place that catches up after a reconnect: whatever happened while the socket was down is read back
 * from the API and merged by `_id`, so nothing shows twice. (A `sync` call would go here.)
 */
async function catchUp(): Promise<void> {
  const { threads, selectedPeerId } = chatStore.get();
  await Promise.all([
    loadUsers(),
    loadConversations(),
    ...Object.keys(threads)
      .filter((peerId) => threads[peerId]?.loaded)
      .map((peerId) => loadLatest(peerId)),
  ]);
  if (selectedPeerId) void markRead(selectedPeerId);
}

export const socketHooks: SocketHooks = {
  bind,
  connected(again) {
    chatStore.set({ connection: 'online' });
    if (again) void catchUp();
  },
  lost() {
    if (chatStore.get().me) chatStore.set({ connection: 'reconnecting' });
  },
  refused() {
    void sessionExpired();
  },
};
