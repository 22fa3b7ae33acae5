import type {
  HeldSummary,
  LiveMessage,
  MessageDelivery,
  MessagesRead,
  Sequenced,
} from '@chat/shared/sockets';
import type { ChatMessage } from '../api/types';
import { chatStore, updateSummary } from '../state/chat-store';
import { learnAbout } from '../state/directory-actions';
import { isAfter } from '../state/merge-messages';
import { sessionExpired } from '../state/session-actions';
import { addMessage, applyDeleted, markRead } from '../state/thread-actions';
import { catchUp, firstTimeSeen, type SequencedHandlers } from './catch-up';
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

/** Released messages follow this event; the notice stays until dismissed. */
function onHeldSummary(summary: HeldSummary): void {
  if (summary.total > 0 || summary.dropped > 0) chatStore.set({ held: summary });
  for (const { userId } of summary.from) learnAbout(userId);
}

/** Every event recorded in my sequence, by name: live pushes and `sync` replays go through the same ones. */
const sequenced: SequencedHandlers = {
  newMessage: onNewMessage,
  messageUpdated: onMessageUpdated,
  messageDeleted: applyDeleted,
  messagesRead: onMessagesRead,
  messageDelivery: ({ messageId, state }: MessageDelivery) =>
    chatStore.set((s) => ({ deliveries: { ...s.deliveries, [messageId]: state } })),
  heldSummary: onHeldSummary,
};

/** A live sequenced event: applied once, even when `sync` replays it too. */
function live<T>(handler: (data: T) => void): (data: T & Partial<Sequenced>) => void {
  return (data) => {
    if (firstTimeSeen(data.seq)) handler(data);
  };
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
  socket.on('userStatus', ({ userId, status, statusUntil = null }) => {
    if (userId === chatStore.get().me?._id) chatStore.set({ myStatus: status, myStatusUntil: statusUntil });
    else
      chatStore.set((s) => ({
        statuses: { ...s.statuses, [userId]: status },
        statusUntil: { ...s.statusUntil, [userId]: statusUntil },
      }));
  });
  socket.on('newMessage', live(sequenced.newMessage));
  socket.on('messageDelivery', live(sequenced.messageDelivery));
  socket.on('messagesRead', live(sequenced.messagesRead));
  socket.on('messageUpdated', live(sequenced.messageUpdated));
  socket.on('messageDeleted', live(sequenced.messageDeleted));
  socket.on('heldSummary', live(sequenced.heldSummary));
  socket.on('typing', ({ from, typing }) =>
    chatStore.set((s) => {
      const typingUntil = { ...s.typingUntil };
      if (typing) typingUntil[from] = Date.now() + TYPING_EXPIRY_MS;
      else delete typingUntil[from];
      return { typingUntil };
    }),
  );
}

export const socketHooks: SocketHooks = {
  bind,
  connected(again) {
    chatStore.set({ connection: 'online' });
    void catchUp(sequenced, again);
  },
  lost() {
    if (chatStore.get().me) chatStore.set({ connection: 'reconnecting' });
  },
  refused() {
    void sessionExpired();
  },
};
