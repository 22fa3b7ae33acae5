import type { HeldSummary } from '@chat/shared/sockets';
import { create } from 'zustand';
import type { ChatMessage, DirectoryUser, Me, UserStatus } from '../api/types';

export interface Thread {
  messages: ChatMessage[];
  /** Older pages may exist on the server. */
  hasMore: boolean;
  loaded: boolean;
  loadingOlder: boolean;
}

export interface Summary {
  lastMessage?: ChatMessage;
  unread: number;
  lastReadId?: string | null;
  peerLastReadId?: string | null;
}

export type Connection = 'idle' | 'connecting' | 'online' | 'reconnecting';

export interface Notice {
  kind: 'error' | 'info';
  text: string;
}

export interface ChatState {
  booting: boolean;
  me: Me | null;
  users: Record<string, DirectoryUser>;
  /** Server order (by full name); search results replace it while a query is typed. */
  userOrder: string[];
  query: string;
  online: Record<string, true>;
  statuses: Record<string, UserStatus>;
  myStatus: UserStatus;
  /** When my Busy ends by itself (ISO), else null. */
  myStatusUntil: string | null;
  /** userId → when their Busy ends by itself (ISO). */
  statusUntil: Record<string, string | null>;
  /** What was held for me while Busy, until dismissed. */
  held: HeldSummary | null;
  summaries: Record<string, Summary>;
  threads: Record<string, Thread>;
  deliveries: Record<string, 'delivered' | 'deferred'>;
  peerByConversation: Record<string, string>;
  /** peerId → when their "typing" expires (ms since the epoch). */
  typingUntil: Record<string, number>;
  selectedPeerId: string | null;
  connection: Connection;
  notice: Notice | null;
}

export const emptyThread: Thread = { messages: [], hasMore: true, loaded: false, loadingOlder: false };

export function initialState(): ChatState {
  return {
    booting: true,
    me: null,
    users: {},
    userOrder: [],
    query: '',
    online: {},
    statuses: {},
    myStatus: 'Available',
    myStatusUntil: null,
    statusUntil: {},
    held: null,
    summaries: {},
    threads: {},
    deliveries: {},
    peerByConversation: {},
    typingUntil: {},
    selectedPeerId: null,
    connection: 'idle',
    notice: null,
  };
}

export const useChat = create<ChatState>(() => initialState());

export const chatStore = {
  get: useChat.getState,
  set: useChat.setState,
};

/** Replaces a user's thread through `change`. */
export function updateThread(peerId: string, change: (thread: Thread) => Thread): void {
  chatStore.set((s) => ({ threads: { ...s.threads, [peerId]: change(s.threads[peerId] ?? emptyThread) } }));
}

export function updateSummary(peerId: string, change: (summary: Summary) => Summary): void {
  chatStore.set((s) => ({
    summaries: { ...s.summaries, [peerId]: change(s.summaries[peerId] ?? { unread: 0 }) },
  }));
}

export function showNotice(text: string, kind: Notice['kind'] = 'error'): void {
  chatStore.set({ notice: { kind, text } });
}
