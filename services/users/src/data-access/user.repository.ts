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
  searchTerms: string[];
}

export interface DirectoryPage {
  /** Only users with a search term in [from, to): a prefix search on the normalised terms. */
  termRange?: { from: string; to: string };
  /** Only users after this one in (fullName, _id) order. */
  afterId?: string;
  limit: number;
}

export interface UserRepository {
  /** Insert or update, unless the stored record comes from the same or a newer event. Returns whether it wrote. */
  upsertFromEvent(user: UserUpsert): Promise<boolean>;
  /**
   * One page of users except `excludeId`, by (fullName, _id); undefined when `afterId` is not a stored user.
   */
  listOthers(excludeId: string, page: DirectoryPage): Promise<DirectoryUser[] | undefined>;
  /** Up to `limit` users stored before search terms existed, to backfill them. */
  listWithoutSearchTerms(limit: number): Promise<Array<Pick<DirectoryUser, '_id' | 'username' | 'fullName'>>>;
  setSearchTerms(id: string, terms: string[]): Promise<void>;
  /** Whether the directory knows user `id` (a valid ObjectId hex string). */
  exists(id: string): Promise<boolean>;
}

const DUPLICATE_KEY = 11000;

function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === DUPLICATE_KEY;
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

    async listOthers(excludeId, page) {
      const filter: Record<string, unknown>[] = [{ _id: trusted({ $ne: new Types.ObjectId(excludeId) }) }];
      if (page.termRange) {
        // $elemMatch: both bounds must hold for the same term, not for any two terms of the array.
        const { from, to } = page.termRange;
        filter.push({ searchTerms: trusted({ $elemMatch: { $gte: from, $lt: to } }) });
      }
      if (page.afterId) {
        const afterId = new Types.ObjectId(page.afterId);
        const last = await model.findById(afterId, { fullName: 1 }).lean();
        if (!last) return undefined;
        filter.push({
          $or: [
            { fullName: trusted({ $gt: last.fullName }) },
            { fullName: last.fullName, _id: trusted({ $gt: afterId }) },
          ],
        });
      }
      const docs = await model
        .find({ $and: filter }, { fullName: 1, username: 1, gender: 1, profilePic: 1 })
        .sort({ fullName: 1, _id: 1 })
        .limit(page.limit)
        .lean<Array<Pick<UserRecord, '_id' | 'fullName' | 'username' | 'gender' | 'profilePic'>>>();
      return docs.map(toDirectoryUser);
    },

    async listWithoutSearchTerms(limit) {
      const docs = await model
        .find({ searchTerms: trusted({ $exists: false }) }, { fullName: 1, username: 1 })
        .limit(limit)
        .lean();
      return docs.map((doc) => ({
        _id: doc._id.toHexString(),
        username: doc.username,
        fullName: doc.fullName,
      }));
    },

    async setSearchTerms(id, terms) {
      await model.updateOne({ _id: new Types.ObjectId(id) }, { $set: { searchTerms: terms } });
    },

    async exists(id) {
      return (await model.exists({ _id: new Types.ObjectId(id) })) !== null;
    },
  };
}
