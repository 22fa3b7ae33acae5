import { codedErrorReply, newObjectId } from '@chat/shared/testing';
import { beforeAll, describe, expect, test } from 'vitest';
import { history, historyOk, type MessageReply, registerUsers, sendOk, useTestApp } from './support.js';

const t = useTestApp();
let alice: string;
let bob: string;
let carol: string;
let sent: MessageReply[];

beforeAll(async () => {
  const ids = await registerUsers(t, 3);
  [alice, bob, carol] = ids as [string, string, string];
  sent = [];
  // Sequential, alternating senders: _id order is send order.
  for (let i = 0; i < 120; i++) {
    sent.push(i % 3 === 0 ? await sendOk(t, bob, alice, `m${i}`) : await sendOk(t, alice, bob, `m${i}`));
  }
}, 60_000);

describe('GET /api/messages/:id', () => {
  test('120 messages page with before: 3 pages, oldest first within a page, no overlap, no gap', async () => {
    const newest = await historyOk(t, alice, bob);
    expect(newest).toEqual(sent.slice(70));

    const page1 = await historyOk(t, alice, bob, '?limit=40');
    const page2 = await historyOk(t, alice, bob, `?limit=40&before=${page1[0]?._id}`);
    const page3 = await historyOk(t, bob, alice, `?limit=40&before=${page2[0]?._id}`);
    const beyond = await historyOk(t, alice, bob, `?limit=40&before=${page3[0]?._id}`);

    expect(page1).toEqual(sent.slice(80, 120));
    expect(page2).toEqual(sent.slice(40, 80));
    expect(page3).toEqual(sent.slice(0, 40));
    expect(beyond).toEqual([]);
    expect([...page3, ...page2, ...page1].map((m) => m.message)).toEqual(sent.map((_, i) => `m${i}`));
  });

  test('limit 200 returns the whole conversation', async () => {
    expect(await historyOk(t, bob, alice, '?limit=200')).toEqual(sent);
  });

  test('someone outside the conversation only ever sees their own (empty) conversations', async () => {
    expect(await historyOk(t, carol, alice)).toEqual([]);
    expect(await historyOk(t, carol, bob)).toEqual([]);
    expect(await historyOk(t, carol, carol)).toEqual([]);
    expect(await historyOk(t, newObjectId(), alice)).toEqual([]);
  });

  test.each([
    ['a malformed id', 'nope', ''],
    ['limit over 200', null, '?limit=201'],
    ['limit 0', null, '?limit=0'],
    ['a fractional limit', null, '?limit=1.5'],
    ['a negative limit', null, '?limit=-1'],
    ['a non-numeric limit', null, '?limit=ten'],
    ['two limits', null, '?limit=1&limit=2'],
    ['a malformed before', null, '?before=123'],
    ['an operator in before', null, '?before[$gt]=0'],
    ['an unknown parameter', null, '?after=1'],
  ])('%s is a 400', async (_label, other, query) => {
    const res = await history(t, alice, other ?? bob, query);
    expect(res.status).toBe(400);
    codedErrorReply.parse(await res.json());
  });

  test('without an internal token the answer is 401', async () => {
    const res = await fetch(`${t.url}/api/messages/${bob}`);
    expect(res.status).toBe(401);
    codedErrorReply.parse(await res.json());
  });
});
