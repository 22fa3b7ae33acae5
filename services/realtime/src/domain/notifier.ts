import type { ServerToClientEvents } from '@chat/shared/sockets';

export type ServerEvent = keyof ServerToClientEvents;
export type ServerEventArgs<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>;

/** How the domain reaches clients: a user's sockets on every node, or every socket. */
export interface Notifier {
  toUser<E extends ServerEvent>(userId: string, event: E, ...args: ServerEventArgs<E>): void;
  toAll<E extends ServerEvent>(event: E, ...args: ServerEventArgs<E>): void;
}
