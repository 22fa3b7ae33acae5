import { afterAll, describe, expect, test } from 'vitest';
import type { ChatClient } from '../src/chat-client.js';
import { check } from '../src/checker.js';
import { fullHistory, logIn, request, type StoredMessage } from '../src/clients.js';
import type { FaultStack } from '../src/fault-stack.js';
import { runLoad, type SendRecord } from '../src/load.js';
import { report } from '../src/report.js';
import {
  connectAll,
  pairsOf,
  printLogsOnFailure,
  signUpMany,
  startStackForTest,
  waitFor,
} from './support.js';

let stack: FaultStack | undefined;
const clients: ChatClient[] = [];

afterAll(async () => {
  for (const client of clients) client.close();
  await stack?.stop();
});

printLogsOnFailure(() => stack);

function pushedAll(sends: SendRecord[], among: ChatClient[]) {
  const ids = sends.flatMap((s) => (s.message ? [s.message._id] : []));
  return waitFor(() => ids.every((id) => among.some((c) => c.received.some((r) => r.message._id === id))), {
    timeoutMs: 15_000,
    message: 'not every message was pushed',
  });
}

describe('scenario 12: restart everything on the same Redis, RabbitMQ and MongoDB', () => {
  test('users and histories are intact and no event is delivered to clients again', async () => {
    const first = await startStackForTest();
    stack = first;
    const senders = await signUpMany(first.url, 'rs-s', 4);
    const receivers = await signUpMany(first.url, 'rs-r', 4);
    const pairs = pairsOf(senders, receivers);
    const before = await connectAll(first.url, receivers);
    clients.push(...before);
    const sendsBefore = await runLoad({ baseUrl: first.url, pairs, total: 80, perSecond: 40 });
    await pushedAll(sendsBefore, before);
    const histories = new Map<string, StoredMessage[]>();
    for (const [s, r] of pairs) histories.set(s._id, await fullHistory(first.url, s, r._id));

    // SIGTERM to every service, then the same stack again: same databases, namespace, Redis.
    for (const client of before) client.close();
    await first.stopServices();
    const second = await startStackForTest({ reuse: { id: first.id, proxies: first.proxies } });
    stack = second;

    const after = await connectAll(second.url, receivers);
    clients.push(...after);
    for (const user of [...senders, ...receivers]) {
      const me = await request<{ _id: string }>(second.url, '/api/auth/me', { cookie: user.cookie });
      expect(me.status).toBe(200);
      expect(me.body._id).toBe(user._id);
    }
    const relogged = await logIn(second.url, senders[0] ?? receivers[0]!);
    expect(relogged._id).toBe(senders[0]?._id);
    for (const [s, r] of pairs) expect(await fullHistory(second.url, s, r._id)).toEqual(histories.get(s._id));

    // Fresh traffic after the restart is the barrier: an old event re-delivered would arrive before it.
    const sendsAfter = await runLoad({ baseUrl: second.url, pairs, total: 40, perSecond: 40 });
    await pushedAll(sendsAfter, after);
    const oldIds = new Set(sendsBefore.map((s) => s.message?._id));
    const replayed = after.flatMap((c) => c.received.filter((r) => oldIds.has(r.message._id)));

    const verdict = await check({
      baseUrl: second.url,
      sends: [...sendsBefore, ...sendsAfter],
      clients: [...before, ...after],
      liveRequired: (send, client) =>
        client.user._id === send.receiver._id &&
        (before.includes(client) ? sendsBefore : sendsAfter).includes(send),
    });
    report('12-restart-all', {
      ...verdict,
      lost: verdict.lost.length,
      duplicated: verdict.duplicated.length,
      unexpected: verdict.unexpected.length,
      usersIntact: senders.length + receivers.length,
      replayedToClients: replayed.length,
    });
    expect(replayed).toEqual([]);
    expect(verdict.lost).toEqual([]);
    expect(verdict.duplicated).toEqual([]);
    expect(verdict.unexpected).toEqual([]);
    expect(verdict.stored).toBe(120);
  });
});
