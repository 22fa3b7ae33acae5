import { waitFor } from '@chat/shared/testing';
import { describe, expect, test } from 'vitest';
import { idsOf, listUsers, type Reply, type SentMessage, sendMessage } from './support/browser.js';
import { chatApi, conversationWith, ok } from './support/chat-api.js';
import { connectChat, deliveryOf } from './support/chat-socket.js';
import type { E2eStack } from './support/e2e-stack.js';
import { useE2eStack } from './support/e2e-suite.js';
import { connectNewUser, type PlacedSocket } from './support/placement.js';
import { waitForValue } from './support/wait.js';

let e2e: E2eStack;
const { track, pairOnTwoNodes, userOn } = useE2eStack(2, (started) => {
  e2e = started;
});

async function sendAll(from: PlacedSocket, to: PlacedSocket, texts: string[]): Promise<SentMessage[]> {
  const sent: SentMessage[] = [];
  for (const text of texts) sent.push(await sendMessage(e2e.url, from.user, to.user, text));
  return sent;
}

describe('conversations and read receipts', () => {
  test('unread counts follow the sends; a read reaches the sender on the other node and the reader’s other device; an older read changes nothing', async () => {
    const [alice, bob] = await pairOnTwoNodes('v2-read-');
    const bobPhone = track(await connectChat(e2e.url, bob.user));
    const [one, two, three] = await sendAll(alice, bob, ['one', 'two', 'three']);
    if (!one || !two || !three) throw new Error('three sends expected');
    const bobApi = chatApi(e2e.url, bob.user);
    const aliceApi = chatApi(e2e.url, alice.user);

    const unread = await conversationWith(bobApi, alice.user);
    expect(unread).toMatchObject({ peerId: alice.user._id, unreadCount: 3, lastReadId: null });
    expect(unread?.lastMessage).toMatchObject({ _id: three._id, message: 'three', senderId: alice.user._id });
    expect(await conversationWith(aliceApi, bob.user)).toMatchObject({
      unreadCount: 0,
      peerLastReadId: null,
      lastMessage: { _id: three._id },
    });

    expect(ok(await bobApi.read(alice.user._id, { upTo: two._id }))).toEqual({
      conversationId: two.conversationId,
      upTo: two._id,
      unreadCount: 1,
    });
    const receipt = { conversationId: two.conversationId, readerId: bob.user._id, upTo: two._id };
    for (const chat of [alice.chat, bob.chat, bobPhone]) {
      await waitFor(() => chat.reads.length === 1, { message: `${chat.user.username} got no messagesRead` });
      expect(chat.reads[0]).toMatchObject(receipt);
      expect(Date.parse(chat.reads[0]?.readAt ?? '')).not.toBeNaN();
    }
    expect(await conversationWith(bobApi, alice.user)).toMatchObject({ unreadCount: 1, lastReadId: two._id });
    expect(await conversationWith(aliceApi, bob.user)).toMatchObject({ peerLastReadId: two._id });

    // Reading backwards is a no-op answering the current mark.
    expect(ok(await bobApi.read(alice.user._id, { upTo: one._id }))).toMatchObject({
      upTo: two._id,
      unreadCount: 1,
    });
    expect(await conversationWith(bobApi, alice.user)).toMatchObject({ unreadCount: 1, lastReadId: two._id });
    // Once the next receipt is in, one for the no-op would be in too.
    ok(await bobApi.read(alice.user._id, { upTo: three._id }));
    for (const chat of [alice.chat, bob.chat, bobPhone]) {
      await waitFor(() => chat.reads.some((r) => r.upTo === three._id));
      expect(chat.reads.map((r) => r.upTo)).toEqual([two._id, three._id]);
    }
    expect(await conversationWith(bobApi, alice.user)).toMatchObject({
      unreadCount: 0,
      lastReadId: three._id,
    });
  });

  test('GET /api/conversations lists newest activity first and pages with before', async () => {
    const [alice, bob] = await pairOnTwoNodes('v2-list-');
    const carol = track(await connectNewUser(e2e, 'v2-list-c'));
    const toBob = await sendMessage(e2e.url, alice.user, bob.user, 'to bob');
    const toCarol = await sendMessage(e2e.url, alice.user, carol.user, 'to carol');
    const api = chatApi(e2e.url, alice.user);

    const all = ok(await api.conversations());
    expect(all.map((c) => c.peerId)).toEqual([carol.user._id, bob.user._id]);
    expect(all.map((c) => c.lastMessage._id)).toEqual([toCarol._id, toBob._id]);
    expect(ok(await api.conversations('?limit=1')).map((c) => c.peerId)).toEqual([carol.user._id]);
    const older = ok(await api.conversations(`?before=${toCarol._id}`));
    expect(older.map((c) => c.peerId)).toEqual([bob.user._id]);
  });
});

describe('edits and deletes', () => {
  test('an edit and a delete reach both parties live and stay in the history; a deleted message is a tombstone', async () => {
    const [alice, bob] = await pairOnTwoNodes('v2-edit-');
    const [first, second] = await sendAll(alice, bob, ['first', 'second']);
    if (!first || !second) throw new Error('two sends expected');
    await waitFor(() => bob.chat.newMessages.length === 2);
    const aliceApi = chatApi(e2e.url, alice.user);
    const bobApi = chatApi(e2e.url, bob.user);

    const edited = ok(await aliceApi.edit(first._id, { message: '  first, edited  ' }));
    expect(edited).toMatchObject({ _id: first._id, message: 'first, edited', senderId: alice.user._id });
    expect(Date.parse(edited.editedAt ?? '')).not.toBeNaN();
    for (const chat of [alice.chat, bob.chat]) {
      await waitFor(() => chat.updates.length === 1, {
        message: `${chat.user.username} got no messageUpdated`,
      });
      expect(chat.updates[0]).toMatchObject({
        _id: first._id,
        message: 'first, edited',
        editedAt: edited.editedAt,
      });
    }

    const deleted = ok(await aliceApi.remove(second._id));
    expect(deleted).toEqual({
      _id: second._id,
      conversationId: second.conversationId,
      deletedAt: expect.any(String),
    });
    for (const chat of [alice.chat, bob.chat]) {
      await waitFor(() => chat.deletes.length === 1, {
        message: `${chat.user.username} got no messageDeleted`,
      });
      expect(chat.deletes[0]).toMatchObject(deleted);
    }
    // Idempotent; a deleted message cannot be edited.
    expect(ok(await aliceApi.remove(second._id))).toMatchObject({ _id: second._id });
    expect((await aliceApi.edit(second._id, { message: 'back' })).status).toBe(409);

    for (const api of [aliceApi, bobApi]) {
      const history = ok(await api.history(api === aliceApi ? bob.user : alice.user));
      expect(idsOf(history)).toEqual([first._id, second._id]);
      expect(history[0]).toMatchObject({ message: 'first, edited', editedAt: edited.editedAt });
      expect(history[1]).toMatchObject({
        message: '',
        deletedAt: deleted.deletedAt,
        senderId: alice.user._id,
      });
    }
    const listed = await conversationWith(bobApi, alice.user);
    expect(listed?.lastMessage).toMatchObject({ _id: second._id, message: '', deletedAt: deleted.deletedAt });
  });

  test('a Busy recipient released after an edit gets the final text, and never a deleted message', async () => {
    const [alice, bob] = await pairOnTwoNodes('v2-held-');
    expect(await bob.chat.setStatus('Busy')).toEqual({ ok: true, status: 'Busy' });
    const held = await sendAll(alice, bob, ['held one', 'held two', 'held three']);
    await waitFor(() => held.every((m) => deliveryOf(alice.chat, m) === 'deferred'), {
      message: 'the sender was not told the messages were deferred',
    });
    const [one, two, three] = held;
    if (!one || !two || !three) throw new Error('three sends expected');
    const aliceApi = chatApi(e2e.url, alice.user);
    ok(await aliceApi.edit(one._id, { message: 'held one, edited' }));
    ok(await aliceApi.remove(two._id));
    // Once the sender heard of the edit and the delete, the nodes have applied them to the hold too.
    await waitFor(() => alice.chat.updates.length === 1 && alice.chat.deletes.length === 1);

    expect(await bob.chat.setStatus('Available')).toEqual({ ok: true, status: 'Available' });
    await waitFor(() => bob.chat.newMessages.length >= 2, { message: 'the held messages never arrived' });
    const after = await sendMessage(e2e.url, alice.user, bob.user, 'after');
    await waitFor(() => bob.chat.newMessages.some((m) => m._id === after._id));
    expect(idsOf(bob.chat.newMessages)).toEqual([one._id, three._id, after._id]);
    expect(bob.chat.newMessages[0]?.message).toBe('held one, edited');
    const seenTexts = [...bob.chat.newMessages, ...bob.chat.updates].map((m) => m.message);
    expect(seenTexts).not.toContain('held two');
  });
});

/**
 * Emits `typing: false` (never throttled) from `from` to `to`, then to `witness`, a user on `to`'s node: the
 * witness's notice travels after `to`'s, so once it is in, `to`'s would be too. True when `to` got one.
 */
async function typingPasses(from: PlacedSocket, to: PlacedSocket, witness: PlacedSocket): Promise<boolean> {
  const [before, seen] = [to.chat.typings.length, witness.chat.typings.length];
  expect(await from.chat.typing({ to: to.user._id, typing: false })).toEqual({ ok: true });
  expect(await from.chat.typing({ to: witness.user._id, typing: false })).toEqual({ ok: true });
  await waitFor(() => witness.chat.typings.length > seen, { message: 'the witness got no typing' });
  return to.chat.typings.length > before;
}

describe('typing', () => {
  test('passes both ways between Available online users, typing:true at most once a second, never to a Busy user', async () => {
    const [alice, bob] = await pairOnTwoNodes('v2-type-');
    const witness = await userOn('v2-type-w', bob.node);

    expect(await alice.chat.typing({ to: bob.user._id, typing: true })).toEqual({ ok: true });
    await waitFor(() => bob.chat.typings.length === 1);
    expect(bob.chat.typings).toEqual([{ from: alice.user._id, typing: true }]);
    expect(await bob.chat.typing({ to: alice.user._id, typing: true })).toEqual({ ok: true });
    await waitFor(() => alice.chat.typings.length === 1);
    expect(alice.chat.typings).toEqual([{ from: bob.user._id, typing: true }]);

    // A burst of keystrokes: the first typing:true passed above; more pass only as seconds go by.
    const burstStart = Date.now();
    for (let i = 0; i < 6; i++) {
      expect(await alice.chat.typing({ to: bob.user._id, typing: true })).toEqual({ ok: true });
    }
    const seconds = Math.floor((Date.now() - burstStart) / 1000);
    // typing:false always passes, twice in a row too; it also closes the burst.
    for (let i = 0; i < 2; i++)
      expect(await alice.chat.typing({ to: bob.user._id, typing: false })).toEqual({ ok: true });
    await waitFor(() => bob.chat.typings.filter((t) => !t.typing).length === 2);
    const forwarded = bob.chat.typings.filter((t) => t.typing).length;
    expect(forwarded).toBeGreaterThanOrEqual(1);
    expect(forwarded).toBeLessThanOrEqual(seconds + 2);
    expect(forwarded).toBeLessThan(7);
    expect(bob.chat.typings.every((t) => t.from === alice.user._id)).toBe(true);

    expect(await bob.chat.setStatus('Busy')).toEqual({ ok: true, status: 'Busy' });
    expect(await typingPasses(alice, bob, witness)).toBe(false);
    expect(await bob.chat.setStatus('Available')).toEqual({ ok: true, status: 'Available' });
    expect(await typingPasses(alice, bob, witness)).toBe(true);
  });

  test('a malformed typing payload, or one to yourself, gets a refused ack and reaches nobody', async () => {
    const [alice, bob] = await pairOnTwoNodes('v2-badtype-');
    const refused = { ok: false, code: 'REALTIME.INVALID_TYPING', error: expect.any(String) };
    const payloads: unknown[] = [
      'typing',
      null,
      {},
      [bob.user._id, true],
      { to: bob.user._id },
      { to: bob.user._id, typing: 'yes' },
      { to: bob.user._id, typing: 1 },
      { to: 123, typing: true },
      { to: 'nope', typing: true },
      { to: { $ne: '' }, typing: true },
      { to: `${bob.user._id} `, typing: true },
      { to: alice.user._id, typing: true },
      { to: bob.user._id, typing: true, extra: 1 },
    ];
    for (const payload of payloads) {
      expect(await alice.chat.typing(payload), JSON.stringify(payload)).toEqual(refused);
    }
    expect(await alice.chat.typing({ to: bob.user._id, typing: false })).toEqual({ ok: true });
    await waitFor(() => bob.chat.typings.length > 0);
    expect(bob.chat.typings).toEqual([{ from: alice.user._id, typing: false }]);
    expect(alice.chat.typings).toEqual([]);
    expect(alice.chat.socket.connected).toBe(true);
  });
});

describe('blocking', () => {
  test('once the block has propagated, sends get 403 both ways and store nothing, and typing stops; unblocking restores both', async () => {
    const [alice, bob] = await pairOnTwoNodes('v2-block-');
    // Witnesses on each side's node prove a typing notice was not merely late.
    const nearBob = await userOn('v2-block-c', bob.node);
    const nearAlice = await userOn('v2-block-d', alice.node);
    const [aliceApi, bobApi] = [chatApi(e2e.url, alice.user), chatApi(e2e.url, bob.user)];
    await sendMessage(e2e.url, alice.user, bob.user, 'before the block');
    expect(await typingPasses(alice, bob, nearBob)).toBe(true);
    expect(await typingPasses(bob, alice, nearAlice)).toBe(true);

    for (let i = 0; i < 2; i++) {
      expect(ok(await aliceApi.block(bob.user._id))).toEqual({ userId: bob.user._id, blocked: true });
    }
    expect((await listUsers(e2e.url, alice.user)).find((u) => u._id === bob.user._id)).toMatchObject({
      blocked: true,
    });
    expect((await listUsers(e2e.url, bob.user)).find((u) => u._id === alice.user._id)).toMatchObject({
      blocked: false,
    });

    // The block reaches the messages service and the realtime nodes by events: wait for each effect.
    let attempt = 0;
    const refusal = await waitForValue(
      async () => {
        const reply = await bobApi.trySend(alice.user, `while blocking ${++attempt}`);
        return reply.status === 403 ? reply : undefined;
      },
      { timeoutMs: 10_000, message: 'sends to the blocker never got 403' },
    );
    expect(refusal.body).toMatchObject({ error: "You can't message this user" });
    const stored = idsOf(ok(await aliceApi.history(bob.user)));
    const other = await aliceApi.trySend(bob.user, 'from the blocker');
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ error: "You can't message this user" });
    expect((await bobApi.trySend(alice.user, 'again')).status).toBe(403);
    expect(idsOf(ok(await aliceApi.history(bob.user)))).toEqual(stored);
    await waitFor(
      async () => !(await typingPasses(alice, bob, nearBob)) && !(await typingPasses(bob, alice, nearAlice)),
      { timeoutMs: 10_000, intervalMs: 200, message: 'typing kept passing between a blocked pair' },
    );

    for (let i = 0; i < 2; i++) {
      expect(ok(await aliceApi.unblock(bob.user._id))).toEqual({ userId: bob.user._id, blocked: false });
    }
    expect((await listUsers(e2e.url, alice.user)).find((u) => u._id === bob.user._id)).toMatchObject({
      blocked: false,
    });
    await waitFor(
      async () => (await bobApi.trySend(alice.user, `after unblocking ${++attempt}`)).status === 201,
      {
        timeoutMs: 10_000,
        intervalMs: 200,
        message: 'sends stayed refused after the unblock',
      },
    );
    const back = await sendMessage(e2e.url, alice.user, bob.user, 'from the former blocker');
    await waitFor(() => bob.chat.newMessages.some((m) => m._id === back._id));
    await waitFor(
      async () => (await typingPasses(alice, bob, nearBob)) && (await typingPasses(bob, alice, nearAlice)),
      { timeoutMs: 10_000, intervalMs: 200, message: 'typing stayed blocked after the unblock' },
    );
  });

  test('messages held for a Busy user from someone they then block are dropped from the hold', async () => {
    const [alice, bob] = await pairOnTwoNodes('v2-blockheld-');
    const carol = track(await connectNewUser(e2e, 'v2-blockheld-c'));
    expect(await bob.chat.setStatus('Busy')).toEqual({ ok: true, status: 'Busy' });
    const fromAlice = await sendMessage(e2e.url, alice.user, bob.user, 'held from alice');
    const fromCarol = await sendMessage(e2e.url, carol.user, bob.user, 'held from carol');
    await waitFor(
      () =>
        deliveryOf(alice.chat, fromAlice) === 'deferred' && deliveryOf(carol.chat, fromCarol) === 'deferred',
    );
    const bobApi = chatApi(e2e.url, bob.user);
    ok(await bobApi.block(alice.user._id));
    // The hold learns of the block by an event: once alice's sends are refused, wait for the nodes too.
    await waitFor(
      async () => (await chatApi(e2e.url, alice.user).trySend(bob.user, 'refused?')).status === 403,
      {
        timeoutMs: 10_000,
        intervalMs: 200,
      },
    );
    const nearAlice = await userOn('v2-blockheld-d', alice.node);
    await waitFor(async () => !(await typingPasses(bob, alice, nearAlice)), {
      timeoutMs: 10_000,
      intervalMs: 200,
    });

    expect(await bob.chat.setStatus('Available')).toEqual({ ok: true, status: 'Available' });
    const after = await sendMessage(e2e.url, carol.user, bob.user, 'after');
    await waitFor(() => bob.chat.newMessages.some((m) => m._id === after._id));
    expect(idsOf(bob.chat.newMessages)).toEqual([fromCarol._id, after._id]);
    // Still in the history: the block hides nothing already sent.
    expect(idsOf(ok(await bobApi.history(alice.user)))).toContain(fromAlice._id);
  });
});

describe('bad input on the new routes', () => {
  test('someone else’s message, malformed or unknown ids, foreign upTo, operators and unknown keys: a 4xx that changes nothing', async () => {
    const [alice, bob] = await pairOnTwoNodes('v2-bad-');
    const carol = track(await connectNewUser(e2e, 'v2-bad-c'));
    const fromAlice = await sendMessage(e2e.url, alice.user, bob.user, 'from alice');
    const fromBob = await sendMessage(e2e.url, bob.user, alice.user, 'from bob');
    const fromCarol = await sendMessage(e2e.url, carol.user, alice.user, 'from carol');
    const aliceApi = chatApi(e2e.url, alice.user);
    const bobApi = chatApi(e2e.url, bob.user);
    const carolApi = chatApi(e2e.url, carol.user);
    const snapshot = async () => ({
      conversations: await Promise.all(
        [aliceApi, bobApi, carolApi].map(async (api) => ok(await api.conversations())),
      ),
      histories: [ok(await aliceApi.history(bob.user)), ok(await aliceApi.history(carol.user))],
      blocked: (await listUsers(e2e.url, alice.user)).filter((u) => u.blocked).map((u) => u._id),
    });
    const before = await snapshot();

    const unknown = 'aaaaaaaaaaaaaaaaaaaaaaaa';
    const malformed = [
      'nope',
      '123',
      'zzzzzzzzzzzzzzzzzzzzzzzz',
      encodeURIComponent('{"$ne":""}'),
      `${fromBob._id}0`,
    ];
    const bob_ = bob.user._id;
    type Attempt = [label: string, run: () => Promise<Reply>, expected: number | '4xx'];
    const attempts: Attempt[] = [
      ['edit their message', () => aliceApi.edit(fromBob._id, { message: 'mine now' }), 403],
      ['delete their message', () => aliceApi.remove(fromBob._id), 403],
      ['a stranger deletes', () => carolApi.remove(fromAlice._id), '4xx'],
      ['edit unknown', () => aliceApi.edit(unknown, { message: 'x' }), 404],
      ['delete unknown', () => aliceApi.remove(unknown), 404],
      ['read upTo unknown', () => aliceApi.read(bob_, { upTo: unknown }), 404],
      ['read upTo another conversation', () => aliceApi.read(bob_, { upTo: fromCarol._id }), 404],
      ['read a conversation not mine', () => carolApi.read(alice.user._id, { upTo: fromBob._id }), 404],
      ['read upTo operator', () => aliceApi.read(bob_, { upTo: { $gt: '' } }), 400],
      ['read unknown key', () => aliceApi.read(bob_, { upTo: fromBob._id, all: true }), 400],
      ['read no body', () => aliceApi.read(bob_, undefined), 400],
      ['read array', () => aliceApi.read(bob_, [fromBob._id]), 400],
      ['read malformed upTo', () => aliceApi.read(bob_, { upTo: 'nope' }), 400],
      ['edit operator', () => aliceApi.edit(fromAlice._id, { message: { $ne: '' } }), 400],
      ['edit unknown key', () => aliceApi.edit(fromAlice._id, { message: 'x', senderId: bob_ }), 400],
      ['edit blank', () => aliceApi.edit(fromAlice._id, { message: '   ' }), 400],
      ['edit too long', () => aliceApi.edit(fromAlice._id, { message: 'x'.repeat(2001) }), 400],
      ['edit no text', () => aliceApi.edit(fromAlice._id, {}), 400],
      ['block unknown', () => aliceApi.block(unknown), 404],
      ['block yourself', () => aliceApi.block(alice.user._id), '4xx'],
      ...malformed.flatMap((id): Attempt[] => [
        [`edit ${id}`, () => aliceApi.edit(id, { message: 'x' }), 400],
        [`delete ${id}`, () => aliceApi.remove(id), 400],
        [`read peer ${id}`, () => aliceApi.read(id, { upTo: fromBob._id }), 400],
        [`block ${id}`, () => aliceApi.block(id), 400],
        [`unblock ${id}`, () => aliceApi.unblock(id), 400],
      ]),
      ...['limit=0', 'limit=101', 'limit=abc', 'limit=1.5', 'before=nope', 'before[$gt]=', 'foo=1'].map(
        (query): Attempt => [`conversations ?${query}`, () => aliceApi.conversations(`?${query}`), 400],
      ),
    ];
    const wrong: string[] = [];
    for (const [label, run, expected] of attempts) {
      const { status, body } = await run();
      const fits = expected === '4xx' ? status >= 400 && status < 500 : status === expected;
      if (!fits) wrong.push(`${label}: ${status} ${JSON.stringify(body)} (expected ${expected})`);
    }
    expect(wrong).toEqual([]);
    expect(await snapshot()).toEqual(before);

    // No socket heard of any of it: once a real receipt is in, a stray event would be in too.
    ok(await bobApi.read(alice.user._id, { upTo: fromAlice._id }));
    await waitFor(() => alice.chat.reads.length > 0);
    for (const chat of [alice.chat, bob.chat, carol.chat]) {
      expect(chat.updates).toEqual([]);
      expect(chat.deletes).toEqual([]);
    }
    expect(alice.chat.reads.map((r) => r.upTo)).toEqual([fromAlice._id]);
    expect(carol.chat.reads).toEqual([]);
  });
});
