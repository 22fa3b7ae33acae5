import type { MessageDeletedEvent, MessageUpdatedEvent } from '@chat/shared/events';
import type { LiveMessage, MessagesRead } from '@chat/shared/sockets';
import type {
  CreatedFact,
  DeletedFact,
  Plan,
  Plans,
  ReleasePlan,
  TypingFact,
  UpdatedFact,
} from '../data-access/plan.js';
import {
  encodeEmit,
  encodeHeldSummaryEmit,
  encodeReleasedNoticeEmit,
  encodeStoredMessageEmit,
} from './user-emit.js';

/**
 * Who gets what, per event kind: the one decision table of delivery. Store scripts read the facts
 * atomically (status, presence, holds, blocks, dedupe marks), classify them into one of their facts, and
 * carry out the plan given here for that fact: hold or not, and which emits to publish in the same
 * atomic step. The scripts decide nothing themselves; a fact without a plan does nothing.
 */

const emitOnly = (...emits: string[]): Plan => ({ hold: false, emits });

/** message.created: `offlineBusy`, `blocked`, `deleted` and redeliveries get nothing. */
export function createdPlans(message: LiveMessage): Plans<CreatedFact> {
  const notice = (state: 'delivered' | 'deferred') =>
    encodeEmit([message.senderId], 'messageDelivery', { messageId: message._id, state });
  return {
    // Available recipient: pushed now (its latest text), and the sender hears it was delivered.
    available: emitOnly(encodeStoredMessageEmit(message.receiverId), notice('delivered')),
    // Busy recipient: held until they switch back; the sender hears it was deferred.
    busy: { hold: true, emits: [notice('deferred')] },
    // Offline and Available: nothing live (the history has it), but it enters their sequence, so a client
    // away for a few seconds gets it from `sync`. The sender hears nothing, as before.
    offline: emitOnly(encodeStoredMessageEmit(message.receiverId, { live: false })),
  };
}

/**
 * Switching `userId` to Available: first `heldSummary` to them (when they were Busy or anything waited),
 * then per released message (in creation order) the message to them and `delivered` to its sender.
 */
export function releasePlan(userId: string): ReleasePlan {
  return {
    summary: emitOnly(encodeHeldSummaryEmit(userId)),
    each: emitOnly(encodeStoredMessageEmit(userId), encodeReleasedNoticeEmit()),
  };
}

/** message.updated: `stale` (a newer edit won) and `deleted` emit nothing. */
export function updatedPlans(event: MessageUpdatedEvent): Plans<UpdatedFact> {
  const { message } = event;
  return {
    applied: emitOnly(encodeEmit([message.senderId, message.receiverId], 'messageUpdated', message)),
    // Still held for a Busy recipient: the held copy now has this text; only the sender hears now.
    held: emitOnly(encodeEmit([message.senderId], 'messageUpdated', message)),
  };
}

/** message.deleted: `already` (deleted before) emits nothing. */
export function deletedPlans(event: MessageDeletedEvent): Plans<DeletedFact> {
  const { _id, conversationId, deletedAt, senderId, receiverId } = event.message;
  const both = emitOnly(
    encodeEmit([senderId, receiverId], 'messageDeleted', { _id, conversationId, deletedAt }),
  );
  // Whether or not it was still held (then it leaves the hold), both parties' views drop it.
  return { applied: both, held: both };
}

/** conversation.read: the peer (read receipt) and the reader's own sockets (badges in step). */
export function readPlans(read: MessagesRead & { peerId: string }): Plans<'applied'> {
  const { conversationId, readerId, upTo, readAt } = read;
  return {
    applied: emitOnly(
      encodeEmit([read.peerId, readerId], 'messagesRead', { conversationId, readerId, upTo, readAt }),
    ),
  };
}

/** typing: forwarded only to an online, Available recipient, neither blocking the other, unthrottled. */
export function typingPlans(from: string, to: string, typing: boolean): Plans<TypingFact> {
  return { forwarded: emitOnly(encodeEmit([to], 'typing', { from, typing })) };
}
