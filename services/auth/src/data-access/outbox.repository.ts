import type { UserRegisteredEvent } from '@chat/shared/events';
import type { OutboxEntry, OutboxStore } from '@chat/shared/messaging';
import { claimPending, LEASE_FIELDS, type OutboxLease, releaseLeased } from '@chat/shared/mongo';
import { type mongo, Types } from 'mongoose';
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

const PENDING_FIELDS = {
  fullName: 1,
  username: 1,
  gender: 1,
  profilePic: 1,
  createdAt: 1,
  eventId: 1,
  eventOccurredAt: 1,
} as const;

/**
 * The outbox of `user.registered`: each account document carries its own event (`eventPending: true` until the
 * broker confirmed it), so the account and its event are written in one atomic insert and a crash at any point
 * leaves either neither or both. A redelivery after a crash between publish and mark reuses the stored eventId,
 * so consumers deduplicate it. With a `lease` (several replicas on one database), a relay claims what it reads
 * and the others skip it until it is published or the lease runs out, so each event is published once.
 */
export function createUserOutboxStore(model: UserModel, lease?: OutboxLease): OutboxStore {
  // The driver's collection: the lease fields are not part of the account schema.
  const native = model.collection as unknown as mongo.Collection<mongo.Document>;
  const objectIds = (ids: string[]) => ids.map((id) => new Types.ObjectId(id));
  return {
    async pending(limit: number): Promise<OutboxEntry[]> {
      const query = {
        filter: { eventPending: true },
        sort: { _id: 1 as const },
        limit,
        projection: PENDING_FIELDS,
      };
      const docs = (await claimPending(native, query, lease)) as PendingUser[];
      return docs.map((doc) => ({
        id: doc._id.toString(),
        routingKey: 'user.registered',
        payload: toEvent(doc),
      }));
    },

    async markPublished(ids: string[]): Promise<void> {
      await native.updateMany(
        { _id: { $in: objectIds(ids) } },
        { $set: { eventPending: false }, $unset: LEASE_FIELDS },
      );
    },

    ...(lease ? { release: (ids: string[]) => releaseLeased(native, objectIds(ids), lease.owner) } : {}),
  };
}
