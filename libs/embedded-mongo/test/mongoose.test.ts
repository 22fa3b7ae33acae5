import mongoose, { type Connection, Schema, Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type EmbeddedMongo, startEmbeddedMongo } from '../src/index.js';
import { uniqueDbName } from './helpers.js';

const userSchema = new Schema(
  { email: { type: String, required: true, unique: true }, name: String, age: Number },
  { timestamps: true },
);
const postSchema = new Schema({
  author: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  title: String,
  n: Number,
});
const memberSchema = new Schema({ room: String, user: String });
memberSchema.index({ room: 1, user: 1 }, { unique: true });

let server: EmbeddedMongo;
let conn: Connection;
const models = () => ({
  User: conn.model('User', userSchema),
  Post: conn.model('Post', postSchema),
  Member: conn.model('Member', memberSchema),
});

beforeAll(async () => {
  server = await startEmbeddedMongo();
  conn = await mongoose.createConnection(server.uri, { dbName: uniqueDbName('mongoose') }).asPromise();
  await Promise.all(Object.values(models()).map((m) => m.init()));
});

afterAll(async () => {
  await conn?.close();
  await server?.stop();
});

describe('mongoose 9 against the embedded server', () => {
  test('Model.init builds the schema indexes, and syncIndexes leaves them in place', async () => {
    const { User, Member } = models();
    await Member.syncIndexes();
    const userIndexes = await User.listIndexes();
    const memberIndexes = await Member.listIndexes();
    expect(userIndexes.map((i) => [i.name, i.unique ?? false])).toEqual([
      ['_id_', false],
      ['email_1', true],
    ]);
    expect(memberIndexes.map((i) => i.name)).toEqual(['_id_', 'room_1_user_1']);
  });

  test('create sets timestamps; a duplicate email fails with 11000, keyPattern and keyValue', async () => {
    const { User } = models();
    const user = await User.create({ email: 'dup@x', name: 'D' });
    const error = await User.create({ email: 'dup@x' }).catch((e: unknown) => e);
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(user.updatedAt).toEqual(user.createdAt);
    expect(error).toMatchObject({ code: 11000, keyPattern: { email: 1 }, keyValue: { email: 'dup@x' } });
  });

  test('a compound unique index rejects a repeated (room, user) pair', async () => {
    const { Member } = models();
    await Member.create({ room: 'r', user: 'u1' });
    await Member.create({ room: 'r', user: 'u2' });
    await expect(Member.create({ room: 'r', user: 'u1' })).rejects.toMatchObject({
      code: 11000,
      keyValue: { room: 'r', user: 'u1' },
    });
  });

  test('populate resolves refs; lean returns plain objects with ObjectIds', async () => {
    const { User, Post } = models();
    const author = await User.create({ email: 'author@x', name: 'Ann' });
    await Post.create([
      { author: author._id, title: 'one' },
      { author: author._id, title: 'two' },
    ]);
    const posts = await Post.find({ author: author._id })
      .sort({ title: 1 })
      .populate('author', 'name')
      .lean();
    expect(posts.map((p) => p.title)).toEqual(['one', 'two']);
    expect(posts[0]?.author).toEqual({ _id: author._id, name: 'Ann' });
    expect(posts[0]?._id).toBeInstanceOf(Types.ObjectId);
    expect(posts[0]).not.toBeInstanceOf(mongoose.Document);
  });

  test('find().sort().skip().limit() pages through 260 documents across batches', async () => {
    const { User, Post } = models();
    const author = await User.create({ email: 'pager@x' });
    await Post.insertMany(Array.from({ length: 260 }, (_, n) => ({ author: author._id, n, title: `p${n}` })));
    const all = await Post.find({ author: author._id }).sort({ n: 1 }).lean();
    const page = await Post.find({ author: author._id }).sort({ n: -1 }).skip(100).limit(120).lean();
    expect(all.map((p) => p.n)).toEqual(Array.from({ length: 260 }, (_, n) => n));
    expect(page.map((p) => p.n)).toEqual(Array.from({ length: 120 }, (_, i) => 159 - i));
    expect(await Post.countDocuments({ author: author._id, n: { $gte: 250 } })).toBe(10);
    expect(await Post.countDocuments({ author: author._id })).toBe(260);
  });

  test('findOneAndUpdate with upsert inserts once, then updates and bumps updatedAt', async () => {
    const { User } = models();
    const created = await User.findOneAndUpdate(
      { email: 'upsert@x' },
      { $set: { name: 'first' } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    const updated = await User.findOneAndUpdate(
      { email: 'upsert@x' },
      { $inc: { age: 1 } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    expect(created).toMatchObject({ email: 'upsert@x', name: 'first' });
    expect(updated?._id).toEqual(created?._id);
    expect(updated?.age).toBe(1);
    expect(updated?.createdAt).toEqual(created?.createdAt);
    expect(await User.countDocuments({ email: 'upsert@x' })).toBe(1);
  });

  test('distinct, aggregate, updateMany and deleteMany', async () => {
    const { User } = models();
    await User.insertMany([
      { email: 'g1@x', name: 'grp', age: 20 },
      { email: 'g2@x', name: 'grp', age: 30 },
      { email: 'g3@x', name: 'other', age: 40 },
    ]);
    const names = await User.distinct('name', { email: /^g\d@x$/ });
    const stats = await User.aggregate<{ _id: string; avg: number }>([
      { $match: { email: { $in: ['g1@x', 'g2@x', 'g3@x'] } } },
      { $group: { _id: '$name', avg: { $avg: '$age' } } },
      { $sort: { _id: 1 } },
    ]);
    const bumped = await User.updateMany({ name: 'grp' }, { $inc: { age: 5 } });
    const deleted = await User.deleteMany({ email: /^g\d@x$/ });
    expect(names.sort()).toEqual(['grp', 'other']);
    expect(stats).toEqual([
      { _id: 'grp', avg: 25 },
      { _id: 'other', avg: 40 },
    ]);
    expect(bumped.modifiedCount).toBe(2);
    expect(deleted.deletedCount).toBe(3);
  });
});
