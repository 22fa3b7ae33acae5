import type { ConversationReadEvent } from '@chat/shared/events';
import type { EventsOnceStore } from '../data-access/events-once.store.js';
import { readPlans } from './delivery-rules.js';

/** `conversation.read`: `messagesRead` to the peer's and the reader's sockets, once per event. */
export function applyConversationRead(deps: { once: EventsOnceStore }, event: ConversationReadEvent) {
  return deps.once.applyOnce(event.eventId, readPlans(event));
}
