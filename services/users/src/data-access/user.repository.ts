import { Types, trusted } from 'mongoose';
import type { UserModel, UserRecord } from './user.model.js';

/** A directory entry as the domain sees it: plain object, string ids. */
export interface DirectoryUser {
  _id: string;
  fullName: string;
  username: string;
  gender: 'male' | 'female';
  profilePic: string;
}

export interface UserUpsert extends DirectoryUser {
  createdAt: Date;
  occurredAt: Date;
}

export interface UserRepository {
  /** Insert or update, unless the stored record comes from the same or a newer event. Returns whether it wrote. */
  upsertFromEvent(user: UserUpsert): Promise<boolean>;
  /** Every user except `excludeId`, optionally filtered by a case-insensitive literal `search`, by fullName. */
  listOthers(excludeId: string, search?: string): Promise<DirectoryUser[]>;
  /** Whether the directory knows user `id` (a valid ObjectId hex string). */
  exists(id: string): Promise<boolean>;
}

const DUPLICATE_KEY = 11000;

function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === DUPLICATE_KEY;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function toDirectoryUser(doc: Pick<UserRecord, '_id' | 'fullName' | 'username' | 'gender' | 'profilePic'>) {
  return {
    _id: doc._id.toHexString(),
    fullName: doc.fullName,
    username: doc.username,
    gender: doc.gender,
    profilePic: doc.profilePic,
  };
}

export function createUserRepository(model: UserModel): UserRepository {
  return {
    async upsertFromEvent(user) {
      const { _id, occurredAt, ...fields } = user;
      try {
        // Matches only an older record; if a same-or-newer one exists the upsert's insert hits the _id
        // index and the duplicate-key error means "nothing to do".
        const result = await model.updateOne(
          { _id: new Types.ObjectId(_id), sourceOccurredAt: trusted({ $lt: occurredAt }) },
          { $set: { ...fields, sourceOccurredAt: occurredAt } },
          { upsert: true },
        );
        return result.modifiedCount + result.upsertedCount > 0;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },

    async listOthers(excludeId, search) {
      const filter: Record<string, unknown> = { _id: trusted({ $ne: new Types.ObjectId(excludeId) }) };
      if (search) {
        const pattern = trusted({ $regex: escapeRegex(search), $options: 'i' });
        filter.$or = [{ fullName: pattern }, { username: pattern }];
      }
      const docs = await model
        .find(filter, { fullName: 1, username: 1, gender: 1, profilePic: 1 })
        .sort({ fullName: 1, _id: 1 })
        .lean<Array<Pick<UserRecord, '_id' | 'fullName' | 'username' | 'gender' | 'profilePic'>>>();
      return docs.map(toDirectoryUser);
    },

    async exists(id) {
      return (await model.exists({ _id: new Types.ObjectId(id) })) !== null;
    },
  };
}
