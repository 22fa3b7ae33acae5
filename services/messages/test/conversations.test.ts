import { conversationReadEvent } from '@chat/shared/events';
import { codedErrorReply, newObjectId } from '@chat/shared/testing';
import { describe, expect, test } from 'vitest';
import { call, conversationsOk, readOk } from './api-client.js';
import { historyOk, registerUsers, sendOk, useEvents, useTestApp } from './support.js';

const t = useTestApp();
const reads = useEvents(t, 'conversation.read');

async function users(count: number): Promise<string[]> {
  return registerUsers(t, count);
}

describe('GET /api/conversations and POST /api/messages/read/:peerId', () => {
  test('A sends 3 to B: B sees unreadCount 3 and the last message; reading up to the 2nd leaves 1; an older upTo changes nothing', async () => {
    const [a, b] = (await users(2)) as [string, string];
    const sent = [await sendOk(t, a, b, 'one'), await sendOk(t, a, b, 'two'), await sendOk(t, a, b, 'three')];
    const [first, second, third] = sent as [(typeof sent)[0], (typeof sent)[0], (typeof sent)[0]];

    expect(await conversationsOk(t, b)).toEqual([
      {
        _id: third.conversationId,
        peerId: a,
        lastMessage: third,
        unreadCount: 3,
        lastReadId: null,
        peerLastReadId: null,
      },
    ]);
    // The sender has nothing unread in the same conversation.
    expect((await conversationsOk(t, a))[0]).toMatchObject({ peerId: b, unreadCount: 0, lastMessage: third });

    expect(await readOk(t, b, a, second._id)).toEqual({
      conversationId: third.conversationId,
      upTo: second._id,
      unreadCount: 1,
    });
    expect(await readOk(t, b, a, first._id)).toEqual({
      conversationId: third.conversationId,
      upTo: second._id,
      unreadCount: 1,
    });
    expect((await conversationsOk(t, b))[0]).toMatchObject({ unreadCount: 1, lastReadId: second._id });
    expect((await conversationsOk(t, a))[0]).toMatchObject({ lastReadId: null, peerLastReadId: second._id });

    // B answers, then reads up to B's own reply: A's messages before it are covered.
    const reply = await sendOk(t, b, a, 'got them');
    expect(await readOk(t, b, a, reply._id)).toMatchObject({ upTo: reply._id, unreadCount: 0 });
    expect((await conversationsOk(t, a))[0]).toMatchObject({ unreadCount: 1, lastMessage: reply });
  });

  test('a read publishes conversation.read with the reader, the peer, the mark and the time; a no-op publishes nothing', async () => {
    const [a, b] = (await users(2)) as [string, string];
    const first = await sendOk(t, a, b, 'hello');
    const second = await sendOk(t, a, b, 'again');
    const before = Date.now();
    await readOk(t, b, a, second._id);

    const event = conversationReadEvent.parse(
      await reads.waitForEvent((e) => e.readerId === b && e.upTo === second._id),
    );
    expect(event).toMatchObject({
      conversationId: second.conversationId,
      readerId: b,
      peerId: a,
      upTo: second._id,
    });
    expect(Date.parse(event.readAt)).toBeGreaterThanOrEqual(before - 1_000);

    await readOk(t, b, a, first._id);
    // Sentinel: a later read by someone else arrives after anything this no-op could have published.
    const [c, d] = (await users(2)) as [string, string];
    const sentinel = await sendOk(t, c, d, 'sentinel');
    await readOk(t, d, c, sentinel._id);
    await reads.waitForEvent((e) => e.readerId === d);
    expect(reads.events.filter((e) => e.readerId === b)).toHaveLength(1);
  });

  test('concurrent sends both ways are all counted; concurrent reads keep the newest mark; reading up to the newest leaves 0', async () => {
    const [a, b] = (await users(2)) as [string, string];
    const fromA = await Promise.all(Array.from({ length: 20 }, (_, i) => sendOk(t, a, b, `a${i}`)));
    await Promise.all(Array.from({ length: 5 }, (_, i) => sendOk(t, b, a, `b${i}`)));
    expect((await conversationsOk(t, b))[0]?.unreadCount).toBe(20);
    expect((await conversationsOk(t, a))[0]?.unreadCount).toBe(5);

    const history = await historyOk(t, b, a);
    const ids = fromA.map((m) => m._id).sort();
    await Promise.all(ids.slice(0, 10).map((id) => readOk(t, b, a, id)));
    expect((await conversationsOk(t, b))[0]?.lastReadId).toBe(ids[9]);

    const newest = history.at(-1)?._id ?? '';
    expect(await readOk(t, b, a, newest)).toMatchObject({ upTo: newest, unreadCount: 0 });
    const more = await sendOk(t, a, b, 'one more');
    expect((await conversationsOk(t, b))[0]).toMatchObject({ unreadCount: 1, lastMessage: more });
  });

  test('pages with before: newest activity first, no overlap, no gap', async () => {
    const [me, ...peers] = (await users(6)) as [string, ...string[]];
    const last: string[] = [];
    for (const peer of peers) last.push((await sendOk(t, peer, me, `hi from ${peer}`))._id);
    // Activity in the first conversation moves it to the top.
    last[0] = (await sendOk(t, me, peers[0] ?? '', 'back to you'))._id;
    const expected = [last[0], ...last.slice(1).reverse()];

    const page1 = await conversationsOk(t, me, '?limit=2');
    const page2 = await conversationsOk(t, me, `?limit=2&before=${page1[1]?.lastMessage._id}`);
    const page3 = await conversationsOk(t, me, `?limit=2&before=${page2[1]?.lastMessage._id}`);
    const page4 = await conversationsOk(t, me, `?limit=2&before=${page3[0]?.lastMessage._id}`);
    expect([...page1, ...page2, ...page3].map((c) => c.lastMessage._id)).toEqual(expected);
    expect(page3).toHaveLength(1);
    expect(page4).toEqual([]);
    expect(await conversationsOk(t, me)).toHaveLength(5);
    expect((await conversationsOk(t, me))[0]?.peerId).toBe(peers[0]);
  });

  test('someone with no conversations gets an empty list', async () => {
    expect(await conversationsOk(t, newObjectId())).toEqual([]);
  });

  test.each([
    ['limit 0', '?limit=0'],
    ['limit 101', '?limit=101'],
    ['a malformed before', '?before=zz'],
    ['an operator in before', '?before[$gt]=0'],
    ['an unknown parameter', '?after=1'],
  ])('GET /api/conversations with %s is a 400', async (_label, query) => {
    const res = await call(t, newObjectId(), 'GET', `/api/conversations${query}`);
    expect(res.status).toBe(400);
    codedErrorReply.parse(await res.json());
  });

  test('a read with a message of another conversation, an unknown or malformed id, or a bad body is a 4xx and changes nothing', async () => {
    const [a, b, c] = (await users(3)) as [string, string, string];
    const mine = await sendOk(t, a, b, 'ours');
    const theirs = await sendOk(t, c, b, 'not yours');
    const cases: Array<[string, unknown, number, string]> = [
      [a, { upTo: theirs._id }, 404, 'MESSAGES.MESSAGE_NOT_FOUND'],
      [a, { upTo: newObjectId() }, 404, 'MESSAGES.MESSAGE_NOT_FOUND'],
      [b, { upTo: mine._id }, 404, 'MESSAGES.MESSAGE_NOT_FOUND'],
      ['nope', { upTo: mine._id }, 400, 'MESSAGES.INVALID_ID'],
      [a, { upTo: { $gt: '' } }, 400, 'MESSAGES.INVALID_BODY'],
      [a, { upTo: mine._id, extra: 1 }, 400, 'MESSAGES.INVALID_BODY'],
      [a, { upTo: 42 }, 400, 'MESSAGES.INVALID_BODY'],
      [a, {}, 400, 'MESSAGES.INVALID_BODY'],
      [a, [mine._id], 400, 'MESSAGES.INVALID_BODY'],
    ];
    for (const [peer, body, status, code] of cases) {
      const res = await call(t, b, 'POST', `/api/messages/read/${peer}`, body);
      expect(res.status, `${peer} ${JSON.stringify(body)}`).toBe(status);
      expect(codedErrorReply.parse(await res.json()).code).toBe(code);
    }
    expect((await conversationsOk(t, b)).map((conv) => [conv.unreadCount, conv.lastReadId])).toEqual([
      [1, null],
      [1, null],
    ]);
  });

  test('without an internal token the answer is 401', async () => {
    expect((await fetch(`${t.url}/api/conversations`)).status).toBe(401);
    const res = await fetch(`${t.url}/api/messages/read/${newObjectId()}`, { method: 'POST' });
    expect(res.status).toBe(401);
  });
});
