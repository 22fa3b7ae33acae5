import type { LiveMessage } from '@chat/shared/sockets';

export type { UserStatus } from '@chat/shared/redis';

export interface Me {
  _id: string;
  fullName: string;
  username: string;
  profilePic: string;
}

export interface DirectoryUser extends Me {
  gender: 'male' | 'female';
  status: 'Available' | 'Busy';
  online: boolean;
  /** When their Busy ends by itself (ISO), else null. */
  statusUntil?: string | null;
  /** I blocked them (present once the server supports blocking). */
  blocked?: boolean;
}

/** A message as history and live pushes carry it; a deleted one keeps its identity with `message: ""`. */
export interface ChatMessage extends LiveMessage {
  updatedAt?: string;
  editedAt?: string;
  deletedAt?: string;
}

export interface ConversationSummary {
  _id: string;
  peerId: string;
  lastMessage: ChatMessage;
  unreadCount: number;
  lastReadId: string | null;
  peerLastReadId: string | null;
}

export interface ReadMark {
  conversationId: string;
  upTo: string;
  unreadCount: number;
}

export interface SignupInput {
  fullName: string;
  username: string;
  password: string;
  confirmPassword: string;
  gender: 'male' | 'female';
}
