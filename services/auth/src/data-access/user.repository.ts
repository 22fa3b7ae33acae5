import type { Gender } from '../domain/user.js';
import { authErrors } from '../errors.js';
import { type UserDocument, type UserModel, usernameKey } from './user.model.js';

/** An account as the rest of the service sees it: plain object, string id, no password hash. */
export interface UserRecord {
  _id: string;
  fullName: string;
  username: string;
  gender: Gender;
  profilePic: string;
  createdAt: Date;
}

export interface NewUser {
  fullName: string;
  username: string;
  passwordHash: string;
  gender: Gender;
  profilePic: string;
  /** The `user.registered` envelope, fixed now so every publish attempt carries the same eventId. */
  event: { eventId: string; occurredAt: Date };
}

export interface UserRepository {
  /** Inserts the account with its pending event; throws AUTH.USERNAME_TAKEN on a case-insensitive clash. */
  insert(user: NewUser): Promise<UserRecord>;
  findById(id: string): Promise<UserRecord | null>;
  usernameExists(username: string): Promise<boolean>;
  findCredentials(username: string): Promise<{ user: UserRecord; passwordHash: string } | null>;
  /** Swaps the stored hash for `newHash` if it is still `oldHash` (a concurrent upgrade wins, not both). */
  replacePasswordHash(id: string, oldHash: string, newHash: string): Promise<void>;
}

type StoredUser = Pick<UserDocument, '_id' | 'fullName' | 'username' | 'gender' | 'profilePic' | 'createdAt'>;

function toRecord(doc: StoredUser): UserRecord {
  return {
    _id: doc._id.toString(),
    fullName: doc.fullName,
    username: doc.username,
    gender: doc.gender,
    profilePic: doc.profilePic,
    createdAt: doc.createdAt,
  };
}

function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 11000;
}

const OBJECT_ID = /^[0-9a-f]{24}$/i;
const PUBLIC_FIELDS = { fullName: 1, username: 1, gender: 1, profilePic: 1, createdAt: 1 } as const;

export function createUserRepository(model: UserModel): UserRepository {
  return {
    async insert(user) {
      try {
        // One document = one atomic write: the account and its outbox entry cannot drift apart.
        const doc = await model.create({
          fullName: user.fullName,
          username: user.username,
          usernameLower: usernameKey(user.username),
          password: user.passwordHash,
          gender: user.gender,
          profilePic: user.profilePic,
          eventId: user.event.eventId,
          eventOccurredAt: user.event.occurredAt,
          eventPending: true,
        });
        return toRecord(doc);
      } catch (err) {
        if (isDuplicateKeyError(err)) throw authErrors.usernameTaken();
        throw err;
      }
    },

    async findById(id) {
      if (!OBJECT_ID.test(id)) return null;
      const doc = await model.findById(id, PUBLIC_FIELDS).lean<StoredUser>();
      return doc ? toRecord(doc) : null;
    },

    async usernameExists(username) {
      const doc = await model.exists({ usernameLower: usernameKey(username) });
      return doc !== null;
    },

    async findCredentials(username) {
      const doc = await model
        .findOne({ usernameLower: usernameKey(username) }, { ...PUBLIC_FIELDS, password: 1 })
        .lean<StoredUser & { password: string }>();
      return doc ? { user: toRecord(doc), passwordHash: doc.password } : null;
    },

    async replacePasswordHash(id, oldHash, newHash) {
      await model.updateOne({ _id: id, password: oldHash }, { $set: { password: newHash } });
    },
  };
}
