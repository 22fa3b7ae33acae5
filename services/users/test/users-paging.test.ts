import { USERS_PAGE_MAX } from '@chat/shared/api';
import { newObjectId, testEnv } from '@chat/shared/testing';
import { MongoClient, ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { searchTerms } from '../src/domain/search-terms.js';
import { getAs, startTestApp, type TestApp } from './support.js';

let t: TestApp;
let mongo: MongoClient;
const users = () => mongo.db(t.dbName).collection('users');

/** Stores users as the consumer would (search terms included), straight into the directory. */
async function store(entries: Array<{ fullName: string; username: string }>, withTerms = true) {
  const docs = entries.map(({ fullName, username }) => ({
    _id: new ObjectId(),
    fullName,
    username,
    gender: 'female',
    profilePic: `/avatars/${username}.svg`,
    createdAt: new Date(),
    sourceOccurredAt: new Date(),
    ...(withTerms ? { searchTerms: searchTerms(username, fullName) } : {}),
  }));
  await users().insertMany(docs);
  return docs.map((doc) => doc._id.toHexString());
}

async function page(
  query: string,
  caller = newObjectId(),
): Promise<Array<{ _id: string; fullName: string }>> {
  const res = await getAs(t.url, `/api/users${query}`, caller);
  expect(res.status, query).toBe(200);
  return (await res.json()) as Array<{ _id: string; fullName: string }>;
}

beforeAll(async () => {
  t = await startTestApp();
  mongo = await MongoClient.connect(testEnv().mongoUrl);
});

afterAll(async () => {
  await t?.close();
  await mongo?.close();
});

describe('GET /api/users pages', () => {
  test('at most 200 users a page; `after` walks every user once, in (fullName, _id) order', async () => {
    const token = `pg${newObjectId().slice(-8)}`;
    // Same full names on purpose: the _id breaks ties, so no user is skipped or repeated across pages.
    const ids = await store(
      Array.from({ length: 203 }, (_, i) => ({
        fullName: `Page ${token} ${String(i % 150).padStart(3, '0')}`,
        username: `${token}_${i}`,
      })),
    );
    expect(USERS_PAGE_MAX).toBe(200);
    expect((await page('')).length).toBe(200);
    const first = await page(`?q=${token}`);
    expect(first).toHaveLength(200);
    const second = await page(`?q=${token}&after=${first.at(-1)?._id}`);
    expect(second).toHaveLength(3);
    const walked = [...first, ...second];
    expect(new Set(walked.map((u) => u._id))).toEqual(new Set(ids));
    const order = walked.map((u) => `${u.fullName} ${u._id}`);
    expect(order).toEqual([...order].sort());
    const small = await page(`?q=${token}&limit=2`);
    expect(small.map((u) => u._id)).toEqual(first.slice(0, 2).map((u) => u._id));
  });

  test.each([
    ['limit over 200', '?limit=201'],
    ['limit 0', '?limit=0'],
    ['a non-numeric limit', '?limit=ten'],
    ['after that is not an id', '?after=zzz'],
    ['after of no stored user', `?after=${newObjectId()}`],
    ['two afters', `?after=${newObjectId()}&after=${newObjectId()}`],
  ])('%s is a 400', async (_label, query) => {
    const res = await getAs(t.url, `/api/users${query}`, newObjectId());
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'USERS.INVALID_QUERY' });
  });
});

describe('GET /api/users?q=', () => {
  test('matches the start of the username, of the full name, or of any word in them, ignoring case', async () => {
    const token = `w${newObjectId().slice(-8)}`;
    const [maria, dash] = await store([
      { fullName: `María ${token}Ölund`, username: `maria_${token}` },
      { fullName: `Jean-${token}`, username: `jd${token}` },
    ]);
    const ids = async (q: string) => (await page(`?q=${encodeURIComponent(q)}`)).map((u) => u._id);
    expect(await ids(`${token.toUpperCase()}ÖL`)).toEqual([maria]);
    expect(await ids(`MARÍA ${token}`)).toEqual([maria]);
    expect(await ids(`jd${token}`)).toEqual([dash]);
    expect((await ids(token)).sort()).toEqual([maria, dash].sort());
    // Not a substring search: the middle of a word does not match.
    expect(await ids(token.slice(2))).toEqual([]);
  });

  test('users stored before search terms existed are backfilled at start and then found', async () => {
    const token = `old${newObjectId().slice(-8)}`;
    const [legacy] = await store([{ fullName: `Legacy ${token}`, username: `legacy_${token}` }], false);
    expect(await page(`?q=${token}`)).toEqual([]);
    const restarted = await startTestApp({ dbName: t.dbName });
    try {
      const res = await getAs(restarted.url, `/api/users?q=${token}`, newObjectId());
      expect(((await res.json()) as Array<{ _id: string }>).map((u) => u._id)).toEqual([legacy]);
    } finally {
      await restarted.close();
    }
  });

  test('the search terms are indexed', async () => {
    const indexes = await users().indexes();
    expect(indexes.map((index) => index.key)).toContainEqual({ searchTerms: 1 });
  });
});
