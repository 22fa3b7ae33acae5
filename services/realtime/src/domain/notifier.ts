import type { ServerToClientEvents } from '@chat/shared/sockets';

export type ServerEvent = keyof ServerToClientEvents;
export type ServerEventArgs<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>;

/** How the domain broadcasts to every socket. Emits to users go through user-emit.ts, never here. */
export interface Notifier {
  toAll<E extends ServerEvent>(event: E, ...args: ServerEventArgs<E>): void;
}
