import type { MessageDeletedEvent } from '@chat/shared/events';
import { deletedPlans } from './delivery-rules.js';
import type { ChangeMessageDeps } from './update-message.js';

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
