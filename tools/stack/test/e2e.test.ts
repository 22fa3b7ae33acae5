import { collectEvents, type EventCollector, testEnv, waitFor } from '@chat/shared/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  browser,
  idsOf,
  listUsers,
  type SentMessage,
  type SignedUpUser,
  sendMessage,
  signUp,
} from './support/browser.js';
import { connectChat, deliveryOf, handshakeRefusal, seesSelfOnline } from './support/chat-socket.js';
import type { E2eStack } from './support/e2e-stack.js';
import { waitForSocketTotal } from './support/e2e-stack.js';
import { useE2eStack } from './support/e2e-suite.js';
import { connectNewUser, connectNewUserWhere } from './support/placement.js';
import { waitForValue } from './support/wait.js';

let e2e: E2eStack;
const { track, pairOnTwoNodes } = useE2eStack(2, (started) => {
  e2e = started;
});
// Every event the outbox relays publish during the suite (two of each service on the replicated shape).
let created: EventCollector<'message.created'>;
let registered: EventCollector<'user.registered'>;

beforeAll(async () => {
  const { amqpUrl } = testEnv();
  created = await collectEvents(amqpUrl, 'message.created', { namespace: e2e.namespace });
  registered = await collectEvents(amqpUrl, 'user.registered', { namespace: e2e.namespace });
});

afterAll(async () => {
  await Promise.allSettled([created?.close(), registered?.close()]);
});

const usersSeenBy = (user: SignedUpUser) => listUsers(e2e.url, user);

describe('the chat through the gateway', () => {
  test('two users sign up, see each other (never themselves) in /api/users, and /api/auth/me knows them', async () => {
    const alice = await signUp(e2e.url, 'e2e-su-a');
    const bob = await signUp(e2e.url, 'e2e-su-b');

    for (const [me, other] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      const listed = await waitForValue(
        async () => {
          const users = await usersSeenBy(me);
          return users.some((u) => u._id === other._id) ? users : undefined;
        },
        { timeoutMs: 5_000, message: `${me.username} never saw ${other.username}` },
      );
      expect(listed.some((u) => u._id === me._id)).toBe(false);
      const seen = listed.find((u) => u._id === other._id);
      expect(seen).toMatchObject({ username: other.username, status: 'Available', online: false });
      const self = await browser(e2e.url, me.cookie).get<{ _id: string; username: string }>('/api/auth/me');
      expect(self.status).toBe(200);
      expect(self.body).toMatchObject({ _id: me._id, username: me.username });
    }
  });

  test('sockets on different realtime nodes chat live: the recipient gets newMessage once, the sender a delivery', async () => {
    const [alice, bob] = await pairOnTwoNodes('e2e-live-');
    expect(alice.node).not.toBe(bob.node);

    const sent = await sendMessage(e2e.url, alice.user, bob.user, 'hello across nodes');
    const back = await sendMessage(e2e.url, bob.user, alice.user, 'hello back');

    await waitFor(() => deliveryOf(alice.chat, sent) !== '' && deliveryOf(bob.chat, back) !== '', {
      message: 'no messageDelivery reached the senders',
    });
    await waitFor(() => alice.chat.newMessages.length === 1 && bob.chat.newMessages.length === 1);
    // Once a later message is in, a duplicate of the first would be in too.
    const later = await sendMessage(e2e.url, alice.user, bob.user, 'later');
    await waitFor(() => bob.chat.newMessages.some((m) => m._id === later._id));
    expect(bob.chat.newMessages).toEqual([
      expect.objectContaining({ _id: sent._id, message: sent.message, senderId: alice.user._id }),
      expect.objectContaining({ _id: later._id }),
    ]);
    expect(alice.chat.newMessages).toEqual([
      expect.objectContaining({ _id: back._id, senderId: bob.user._id }),
    ]);
    expect(deliveryOf(alice.chat, sent)).toBe('delivered');
    expect(deliveryOf(bob.chat, back)).toBe('delivered');
  });

  test('when the recipient is Busy, messages are deferred, then arrive in order, once each, when they switch to Available', async () => {
    const [sender, recipient] = await pairOnTwoNodes('e2e-busy-');
    const observer = track(await connectNewUser(e2e, 'e2e-busy-c'));

    expect(await recipient.chat.setStatus('Busy')).toEqual({ ok: true, status: 'Busy' });
    await waitFor(() =>
      observer.chat.statuses.some((s) => s.userId === recipient.user._id && s.status === 'Busy'),
    );
    const listed = await usersSeenBy(sender.user);
    expect(listed.find((u) => u._id === recipient.user._id)).toMatchObject({ status: 'Busy', online: true });

    const held: SentMessage[] = [];
    for (const text of ['one', 'two', 'three'])
      held.push(await sendMessage(e2e.url, sender.user, recipient.user, text));
    await waitFor(() => held.every((m) => deliveryOf(sender.chat, m) === 'deferred'), {
      message: 'the sender was not told the messages were deferred',
    });
    expect(recipient.chat.newMessages).toEqual([]);

    expect(await recipient.chat.setStatus('Available')).toEqual({ ok: true, status: 'Available' });
    await waitFor(() => recipient.chat.newMessages.length >= 3, { message: 'held messages never arrived' });
    // A live message after the flush: once it is in, any duplicate of the held ones would be in too.
    const after = await sendMessage(e2e.url, sender.user, recipient.user, 'four');
    await waitFor(() => recipient.chat.newMessages.some((m) => m._id === after._id));
    expect(idsOf(recipient.chat.newMessages)).toEqual([...idsOf(held), after._id]);
    await waitFor(() => held.every((m) => deliveryOf(sender.chat, m) === 'deferred,delivered'), {
      message: 'the sender was not told the held messages were delivered',
    });
    await waitFor(() =>
      observer.chat.statuses.some((s) => s.userId === recipient.user._id && s.status === 'Available'),
    );
  });

  test('GET /api/messages/:id pages the history oldest first: the newest 50 by default, older ones with before', async () => {
    const alice = await signUp(e2e.url, 'e2e-hist-a');
    const bob = await signUp(e2e.url, 'e2e-hist-b');
    const sent: SentMessage[] = [];
    for (let i = 1; i <= 60; i++) {
      const [from, to] = i % 3 === 0 ? [bob, alice] : [alice, bob];
      sent.push(await sendMessage(e2e.url, from, to, `message ${i}`));
    }

    const latest = await browser(e2e.url, alice.cookie).get<SentMessage[]>(`/api/messages/${bob._id}`);
    expect(latest.status).toBe(200);
    expect(idsOf(latest.body)).toEqual(idsOf(sent.slice(10)));
    const oldest = latest.body[0]?._id;
    const older = await browser(e2e.url, bob.cookie).get<SentMessage[]>(
      `/api/messages/${alice._id}?before=${oldest}`,
    );
    expect(idsOf(older.body)).toEqual(idsOf(sent.slice(0, 10)));
    const small = await browser(e2e.url, bob.cookie).get<SentMessage[]>(
      `/api/messages/${alice._id}?before=${oldest}&limit=4`,
    );
    expect(small.body.map((m) => m.message)).toEqual(['message 7', 'message 8', 'message 9', 'message 10']);
  });

  test('logout revokes the session: 401 everywhere, its sockets (websocket and polling) drop within a second, no new handshake', async () => {
    const alice = await signUp(e2e.url, 'e2e-out-a');
    const bob = track(await connectNewUser(e2e, 'e2e-out-b'));
    const tabs = [
      track(await connectChat(e2e.url, alice)),
      track(await connectChat(e2e.url, alice, { transports: ['polling'] })),
    ];
    expect(tabs[1]?.socket.io.engine.transport.name).toBe('polling');

    const logout = await browser(e2e.url, alice.cookie).post('/api/auth/logout');
    expect(logout.status).toBe(200);
    await waitFor(() => tabs.every((tab) => tab.disconnects === 1), {
      timeoutMs: 1_000,
      message: 'the sockets of the logged-out session stayed connected',
    });

    const client = browser(e2e.url, alice.cookie);
    for (const path of ['/api/users', `/api/messages/${bob.user._id}`, '/api/auth/me']) {
      const reply = await client.get<{ error: string }>(path);
      expect(reply.status, path).toBe(401);
      expect(reply.body.error).toMatch(/^Unauthorized/);
    }
    expect(await handshakeRefusal(e2e.url, alice)).toBeDefined();
    expect(await handshakeRefusal(e2e.url, bob.user)).toBeUndefined();
    expect(bob.chat.socket.connected).toBe(true);
  });

  // Last: it leaves the stack with one realtime node.
  test('when a realtime node is killed, its users reconnect to the other node and the chat goes on; presence heals', async () => {
    const [victim, survivor] = await pairOnTwoNodes('e2e-kill-');
    // A user who does not come back: the dead node cannot say they left, the TTL must.
    const gone = track(
      await connectNewUserWhere(e2e, 'e2e-kill-c', (node) => node === victim.node, 2, {
        reconnection: false,
      }),
    );
    const greetings = victim.chat.onlineLists.length;

    e2e.stack.service(victim.node).child.kill('SIGKILL');

    await waitFor(() => victim.chat.connects === 2 && seesSelfOnline(victim.chat, greetings), {
      timeoutMs: 10_000,
      message: 'the victim never reconnected',
    });
    expect(gone.chat.socket.connected).toBe(false);
    // Both remaining sockets now sit on the surviving node, the only one left.
    await waitForSocketTotal(e2e, 2);
    const toVictim = await sendMessage(e2e.url, survivor.user, victim.user, 'still there?');
    const toSurvivor = await sendMessage(e2e.url, victim.user, survivor.user, 'yes');
    await waitFor(() => victim.chat.newMessages.length === 1 && survivor.chat.newMessages.length === 1);
    const later = await sendMessage(e2e.url, survivor.user, victim.user, 'good');
    await waitFor(() => victim.chat.newMessages.some((m) => m._id === later._id));
    expect(idsOf(victim.chat.newMessages)).toEqual([toVictim._id, later._id]);
    expect(idsOf(survivor.chat.newMessages)).toEqual([toSurvivor._id]);

    await waitFor(() => survivor.chat.presence.some((p) => p.userId === gone.user._id && !p.online), {
      timeoutMs: 8_000,
      message: 'the user left on the dead node stayed online',
    });
    const listed = await usersSeenBy(survivor.user);
    expect(listed.find((u) => u._id === gone.user._id)?.online).toBe(false);
    expect(listed.find((u) => u._id === victim.user._id)?.online).toBe(true);
  });
});

describe('the outbox relays', () => {
  // After every other test, over everything they sent.
  test('published no signup or message twice, with the replicas racing for the same outbox', async () => {
    const once = (ids: string[]) => expect(ids.length).toBe(new Set(ids).size);
    await waitFor(() => created.events.length > 0 && registered.events.length > 0);
    once(created.events.map((e) => e.eventId));
    once(created.events.map((e) => e.message._id));
    once(registered.events.map((e) => e.eventId));
    once(registered.events.map((e) => e.user._id));
    expect(created.invalid).toEqual([]);
    expect(registered.invalid).toEqual([]);
  });
});
