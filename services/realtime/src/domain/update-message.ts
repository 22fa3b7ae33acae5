import type { MessageUpdatedEvent } from '@chat/shared/events';
import type { Logger } from '@chat/shared/logger';
import type { MessageChangesStore } from '../data-access/message-changes.store.js';
import { updatedPlans } from './delivery-rules.js';

export interface ChangeMessageDeps {
  changes: MessageChangesStore;
  logger: Logger;
}

/**
 * `message.updated`: both parties get `messageUpdated` once; a copy still held for a Busy recipient takes
 * the new text (released with it later) and the recipient hears nothing now. An edit older than one
 * already applied, or one of a deleted message, changes and emits nothing. Recorded even before the
 * creation is consumed, so the creation then pushes or holds the edited text.
 */
export async function applyMessageUpdated(deps: ChangeMessageDeps, event: MessageUpdatedEvent) {
  const { message } = event;
  const fact = await deps.changes.update({
    eventId: event.eventId,
    message,
    messageJson: JSON.stringify(message),
    plans: updatedPlans(event),
  });
  deps.logger.debug({ messageId: message._id, fact }, 'message.updated applied');
  return fact;
}
