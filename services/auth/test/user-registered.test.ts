import { userRegisteredEvent } from '@chat/shared/events';
import { collectEvents, type EventCollector, startTcpProxy, testEnv, waitFor } from '@chat/shared/testing';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  AMQP_NAMESPACE,
  bodyOf,
  openDb,
  type PublicUser,
  type RunningAuth,
  signUpOn,
  startAuth,
  useAuth,
} from './support/auth-app.js';

let collector: EventCollector<'user.registered'>;

beforeAll(async () => {
  collector = await collectEvents(testEnv().amqpUrl, 'user.registered', { namespace: AMQP_NAMESPACE });
});

afterAll(async () => {
  await collector?.close();
});

async function signupOn(auth: Pick<RunningAuth, 'url'>): Promise<PublicUser> {
  return (await signUpOn(auth, { gender: 'male' })).user;
}

async function storedOutboxState(auth: Pick<RunningAuth, 'config'>, id: string) {
  const db = await openDb(auth.config);
  try {
    const doc = await db.users.findOne({ _id: new ObjectId(id) });
    return { eventId: String(doc?.eventId), pending: doc?.eventPending };
  } finally {
    await db.close();
  }
}

/** A proxy to the test broker, cut from the start: to whoever connects through it, the broker is down. */
async function cutBrokerProxy() {
  const url = new URL(testEnv().amqpUrl);
  const proxy = await startTcpProxy(url.hostname, Number(url.port || 5672));
  proxy.cut();
  return proxy;
}

describe('user.registered', () => {
  const auth = useAuth();

  test('is published for a signup, valid against the shared schema, with messageId = eventId', async () => {
    const user = await signupOn(auth);

    const event = await collector.waitForEvent((e) => e.user._id === user._id, 10_000);

    expect(userRegisteredEvent.parse(event)).toEqual(event);
    expect(event.user).toMatchObject({
      _id: user._id,
      username: user.username,
      fullName: 'Test User',
      gender: 'male',
      profilePic: `/api/auth/avatar/${user.username}.svg`,
    });
    const message = collector.messages.find((m) => m.event.eventId === event.eventId);
    expect(message?.properties.messageId).toBe(event.eventId);
    await waitFor(async () => (await storedOutboxState(auth, user._id)).pending === false, {
      message: 'outbox entry never marked published',
    });
  });
});

describe('user.registered outbox', () => {
  test('a signup while RabbitMQ is unreachable succeeds, and its event goes out once the broker is back', async () => {
    const proxy = await cutBrokerProxy();
    const auth = await startAuth({ AMQP_URL: proxy.urlFor(testEnv().amqpUrl) });
    try {
      const user = await signupOn(auth);
      const ready = await fetch(`${auth.url}/readyz`);
      expect(ready.status).toBe(503);
      expect((await bodyOf<{ checks: Record<string, string> }>(ready)).checks.broker).toBe('down');
      const before = await storedOutboxState(auth, user._id);
      expect(before.pending).toBe(true);
      expect(collector.events.some((e) => e.user._id === user._id)).toBe(false);

      proxy.restore();

      const event = await collector.waitForEvent((e) => e.user._id === user._id, 20_000);
      expect(event.eventId).toBe(before.eventId);
      await waitFor(async () => (await fetch(`${auth.url}/readyz`)).status === 200, {
        timeoutMs: 10_000,
        message: 'never became ready after the broker came back',
      });
    } finally {
      await auth.app.stop();
      await proxy.close();
    }
  }, 45_000);

  test('an event stored while the broker was down survives a restart and is sent by the next instance', async () => {
    const proxy = await cutBrokerProxy(); // never restored
    const first = await startAuth({ AMQP_URL: proxy.urlFor(testEnv().amqpUrl) });
    let user: PublicUser;
    try {
      user = await signupOn(first);
    } finally {
      await first.app.stop();
      await proxy.close();
    }

    const second = await startAuth({ MONGO_DB: first.config.MONGO_DB });
    try {
      const event = await collector.waitForEvent((e) => e.user._id === user._id, 15_000);
      expect(event.user.username).toBe(user.username);
      await waitFor(async () => (await storedOutboxState(second, user._id)).pending === false, {
        message: 'outbox entry never marked published',
      });
    } finally {
      await second.app.stop();
    }
  }, 45_000);
});
