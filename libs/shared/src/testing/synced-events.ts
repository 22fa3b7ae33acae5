import type { SequencedEvent, SyncedEvent } from '../sockets/index.js';

// A record rather than a list: a new SequencedEvent does not compile until it is named here.
const SEQUENCED: Readonly<Record<SequencedEvent, true>> = {
  newMessage: true,
  messageUpdated: true,
  messageDeleted: true,
  messagesRead: true,
  messageDelivery: true,
  heldSummary: true,
};

/**
 * A server event a socket received, as `sync` would replay it (`{event, data}`), or undefined when the event
 * is not recorded in the user's sequence (presence, typing…).
 */
export function asSyncedEvent(event: string, data: unknown): SyncedEvent | undefined {
  return isSequenced(event) ? { event, data } : undefined;
}

function isSequenced(event: string): event is SequencedEvent {
  return Object.hasOwn(SEQUENCED, event);
}
