import { newObjectId } from '@chat/shared/testing';
import { describe, expect, test } from 'vitest';
import { PLACEHOLDERS } from '../src/data-access/plan.js';
import {
  createdPlans,
  deletedPlans,
  readPlans,
  releasePlan,
  typingPlans,
  updatedPlans,
} from '../src/domain/delivery-rules.js';
import { deletedEvent, readEvent, updatedEvent } from './support/events.js';
import { messageEvent } from './support/nodes.js';

const decode = (emits: string[] | undefined) => (emits ?? []).map((emit) => JSON.parse(emit) as unknown);

describe('the delivery decision table', () => {
  const alice = newObjectId();
  const bob = newObjectId();
  const created = messageEvent(alice, bob, 'hi');
  const messageId = created.message._id;

  test('message.created: Available → push and delivered; Busy → hold and deferred; offline → recorded only; otherwise nothing', () => {
    const plans = createdPlans(created.message);

    expect(plans.available?.hold).toBe(false);
    expect(decode(plans.available?.emits)).toEqual([
      { to: [bob], event: 'newMessage', record: true, data: PLACEHOLDERS.message },
      { to: [alice], event: 'messageDelivery', record: true, data: { messageId, state: 'delivered' } },
    ]);
    expect(plans.busy?.hold).toBe(true);
    expect(decode(plans.busy?.emits)).toEqual([
      { to: [alice], event: 'messageDelivery', record: true, data: { messageId, state: 'deferred' } },
    ]);
    expect(plans.offline?.hold).toBe(false);
    expect(decode(plans.offline?.emits)).toEqual([
      { to: [bob], event: 'newMessage', record: true, quiet: true, data: PLACEHOLDERS.message },
    ]);
    expect([plans.offlineBusy, plans.blocked, plans.deleted]).toEqual([undefined, undefined, undefined]);
  });

  test('a release sends the summary first, then each message to its recipient and delivered to its sender', () => {
    const { messageId: id, sender } = PLACEHOLDERS;

    expect(decode(releasePlan(bob).summary.emits)).toEqual([
      { to: [bob], event: 'heldSummary', record: true, data: PLACEHOLDERS.summary },
    ]);
    expect(decode(releasePlan(bob).each.emits)).toEqual([
      { to: [bob], event: 'newMessage', record: true, data: PLACEHOLDERS.message },
      { to: [sender], event: 'messageDelivery', record: true, data: { messageId: id, state: 'delivered' } },
    ]);
  });

  test('message.updated: both parties, only the sender while held, nobody when stale or deleted', () => {
    const edit = updatedEvent(created, 'edited');
    const plans = updatedPlans(edit);

    expect(decode(plans.applied?.emits)).toEqual([
      { to: [alice, bob], event: 'messageUpdated', record: true, data: edit.message },
    ]);
    expect(decode(plans.held?.emits)).toEqual([
      { to: [alice], event: 'messageUpdated', record: true, data: edit.message },
    ]);
    expect([plans.stale, plans.deleted]).toEqual([undefined, undefined]);
  });

  test('message.deleted: both parties get the identity and deletedAt, held or not', () => {
    const deletion = deletedEvent(created);
    const plans = deletedPlans(deletion);
    const data = {
      _id: messageId,
      conversationId: created.message.conversationId,
      deletedAt: deletion.message.deletedAt,
    };

    expect(decode(plans.applied?.emits)).toEqual([
      { to: [alice, bob], event: 'messageDeleted', record: true, data },
    ]);
    expect(plans.held).toEqual(plans.applied);
    expect(plans.already).toBeUndefined();
  });

  test('conversation.read: the peer and the reader', () => {
    const read = readEvent(bob, alice);
    const { conversationId, upTo, readAt } = read;

    expect(decode(readPlans(read).applied?.emits)).toEqual([
      {
        to: [alice, bob],
        event: 'messagesRead',
        record: true,
        data: { conversationId, readerId: bob, upTo, readAt },
      },
    ]);
  });

  test('typing: forwarded only', () => {
    const plans = typingPlans(alice, bob, true);

    expect(decode(plans.forwarded?.emits)).toEqual([
      { to: [bob], event: 'typing', data: { from: alice, typing: true } },
    ]);
    expect([plans.unavailable, plans.throttled]).toEqual([undefined, undefined]);
  });
});
