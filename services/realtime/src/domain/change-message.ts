import type { MessageDeletedEvent, MessageUpdatedEvent } from '@chat/shared/events';
import type { Logger } from '@chat/shared/logger';
import type { MessageChangesStore } from '../data-access/message-changes.store.js';
import { deletedPlans, updatedPlans } from './delivery-rules.js';

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

/**
 * `message.deleted`: both parties get `messageDeleted` once; a copy still held is removed (never released)
 * and a creation consumed later is neither pushed nor held.
 */
export async function applyMessageDeleted(deps: ChangeMessageDeps, event: MessageDeletedEvent) {
  const { message } = event;
  const fact = await deps.changes.remove({ eventId: event.eventId, message, plans: deletedPlans(event) });
  deps.logger.debug({ messageId: message._id, fact }, 'message.deleted applied');
  return fact;
}
