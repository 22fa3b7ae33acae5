import type { UserRegisteredEvent } from '@chat/shared/events';
import type { OutboxEntry, OutboxStore } from '@chat/shared/messaging';
import { trusted } from 'mongoose';
import type { UserDocument, UserModel } from './user.model.js';

type PendingUser = Pick<
  UserDocument,
  '_id' | 'fullName' | 'username' | 'gender' | 'profilePic' | 'createdAt' | 'eventId' | 'eventOccurredAt'
>;

function toEvent(doc: PendingUser): UserRegisteredEvent {
  return {
    eventId: doc.eventId,
    occurredAt: doc.eventOccurredAt.toISOString(),
    user: {
      _id: doc._id.toString(),
      fullName: doc.fullName,
      username: doc.username,
      gender: doc.gender,
      profilePic: doc.profilePic,
      createdAt: doc.createdAt.toISOString(),
    },
  };
}

/**
 * The outbox of `user.registered`: each account document carries its own event (`eventPending: true` until the
 * broker confirmed it), so the account and its event are written in one atomic insert and a crash at any point
 * leaves either neither or both. A redelivery after a crash between publish and mark reuses the stored eventId,
 * so consumers deduplicate it.
 */
export function createUserOutboxStore(model: UserModel): OutboxStore {
  return {
    async pending(limit: number): Promise<OutboxEntry[]> {
      const docs = await model
        .find(
          { eventPending: true },
          {
            fullName: 1,
            username: 1,
            gender: 1,
            profilePic: 1,
            createdAt: 1,
            eventId: 1,
            eventOccurredAt: 1,
          },
        )
        .sort({ _id: 1 })
        .limit(limit)
        .lean<PendingUser[]>();
      return docs.map((doc) => ({
        id: doc._id.toString(),
        routingKey: 'user.registered',
        payload: toEvent(doc),
      }));
    },

    async markPublished(ids: string[]): Promise<void> {
      // Server-built ids: trusted past sanitizeFilter, which would otherwise wrap the operator in $eq.
      await model.updateMany({ _id: trusted({ $in: ids }) }, { $set: { eventPending: false } });
    },
  };
}
