import { createLogger } from '@chat/shared/logger';
import { createRedis, type Redis, redisKeys } from '@chat/shared/redis';
import type { SetStatusAck, StatusChange } from '@chat/shared/sockets';
import { testEnv, waitFor } from '@chat/shared/testing';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { browser, jwtCookieOf, type SignedUpUser, signUp } from './support/browser.js';
import { type ChatSocket, connectChat } from './support/chat-socket.js';
import { type E2eStack, printLogsOnFailure, startE2eStack, waitForSocketTotal } from './support/e2e-stack.js';

// Small limits so each can be reached in a few handshakes; windows long enough never to roll over mid-file.
const LIMITS = {
  SOCKETS_PER_USER: 3,
  HANDSHAKES_PER_USER: 8,
  HANDSHAKES_PER_IP: 50,
  HANDSHAKE_WINDOW_MS: 600_000,
  STATUS_CHANGES_PER_USER: 4,
  STATUS_CHANGE_WINDOW_MS: 600_000,
  REVOCATION_RECHECK_MS: 300,
};

let e2e: E2eStack;
let redis: Redis;
const opened: Socket[] = [];

beforeAll(async () => {
  const env = Object.fromEntries(Object.entries(LIMITS).map(([key, value]) => [key, String(value)]));
  e2e = await startE2eStack(2, env);
  redis = createRedis(testEnv().redisUrl, {
    logger: createLogger({ service: 'sessions-test', level: 'silent' }),
    name: 'sessions-test',
    prefix: e2e.redisPrefix,
  });
});

afterAll(async () => {
  redis?.disconnect();
  await e2e?.stop();
});

printLogsOnFailure(() => e2e);

afterEach(async () => {
  for (const socket of opened.splice(0)) socket.disconnect();
  await waitForSocketTotal(e2e, 0);
});

interface Refusal {
  message: string;
  code: string | undefined;
}

/**
 * One handshake, no reconnection, with the `jwt` cookie: through the gateway, or straight to a realtime
 * node (how a user's sockets come to sit on both nodes). Resolves with the open socket or the refusal.
 */
function handshake(user: SignedUpUser, via: string = e2e.url): Promise<Socket | Refusal> {
  const socket = io(via, {
    path: '/socket.io',
    forceNew: true,
    reconnection: false,
    transports: ['websocket'],
    extraHeaders: { cookie: user.cookie, origin: new URL(e2e.url).origin },
    timeout: 5_000,
  });
  opened.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err: Error & { data?: { code?: string } }) =>
      resolve({ message: err.message, code: err.data?.code }),
    );
  });
}

async function connected(user: SignedUpUser, via?: string): Promise<Socket> {
  const result = await handshake(user, via);
  if ('message' in result) throw new Error(`handshake refused: ${result.code} ${result.message}`);
  return result;
}

async function refused(user: SignedUpUser, via?: string): Promise<Refusal> {
  const result = await handshake(user, via);
  if (!('message' in result)) throw new Error('the handshake was accepted');
  return result;
}

/** `userId`'s sockets as admission counts them: the sum over the live nodes' presence hashes. */
async function countedSockets(userId: string): Promise<number> {
  const nodes = await redis.zrange(redisKeys.presenceNodes, 0, -1);
  const counts = await Promise.all(nodes.map((node) => redis.hget(redisKeys.presenceNode(node), userId)));
  return counts.reduce((sum, count) => sum + Number(count ?? 0), 0);
}

const nodeUrl = (index: number) => e2e.stack.service(`realtime-${index}`).url;

function disconnected(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    if (!socket.connected) resolve('already');
    else socket.once('disconnect', (reason) => resolve(reason));
  });
}

describe('socket limits', () => {
  test('a user holds at most SOCKETS_PER_USER sockets across both nodes; the next is refused with REALTIME.TOO_MANY_SOCKETS', async () => {
    const alice = await signUp(e2e.url, 'ses-cap');
    const onNode1 = await connected(alice, nodeUrl(1));
    await connected(alice, nodeUrl(2));
    await connected(alice);

    for (const via of [e2e.url, nodeUrl(1), nodeUrl(2)]) {
      const refusal = await refused(alice, via);
      expect(refusal.code).toBe('REALTIME.TOO_MANY_SOCKETS');
      expect(refusal.message).toMatch(/too many connections/i);
    }
    // Closing one frees a place, on whichever node it was, once its node has uncounted it.
    expect(await countedSockets(alice._id)).toBe(3);
    onNode1.disconnect();
    await waitFor(async () => (await countedSockets(alice._id)) === 2, {
      message: "the closed socket was never uncounted from alice's sockets",
    });
    expect((await connected(alice)).connected).toBe(true);
  });

  test('handshakes per user are limited across nodes (REALTIME.TOO_MANY_HANDSHAKES); other users still get in', async () => {
    const bob = await signUp(e2e.url, 'ses-hs');
    for (let i = 0; i < LIMITS.HANDSHAKES_PER_USER; i++) {
      const socket = await connected(bob, i % 2 === 0 ? e2e.url : nodeUrl(2));
      socket.disconnect();
    }
    for (const via of [e2e.url, nodeUrl(1)]) {
      expect((await refused(bob, via)).code).toBe('REALTIME.TOO_MANY_HANDSHAKES');
    }
    const carol = await signUp(e2e.url, 'ses-hs-other');
    expect((await connected(carol)).connected).toBe(true);
  });

  test('a packet over 16 KB closes the socket; one under it is answered', async () => {
    const dave = await signUp(e2e.url, 'ses-big');
    const socket = await connected(dave);
    const small = (await socket
      .timeout(5_000)
      .emitWithAck('typing', { to: 'x'.repeat(15_000), typing: true })) as { ok: boolean; code?: string };
    expect(small).toMatchObject({ ok: false, code: 'REALTIME.INVALID_TYPING' });
    const closed = disconnected(socket);
    socket.emit('typing', { to: 'x'.repeat(20_000), typing: true });
    expect(await closed).toBe('transport close');
  });
});

describe('status changes', () => {
  test('setting the status a user already has broadcasts nothing', async () => {
    const erin = await signUp(e2e.url, 'ses-noop');
    const watcher = await connectChat(e2e.url, await signUp(e2e.url, 'ses-noop-w'));
    const tab = await connectChat(e2e.url, erin);
    const seen = (): StatusChange['status'][] =>
      watcher.statuses.filter((change) => change.userId === erin._id).map((change) => change.status);
    try {
      expect(await tab.setStatus('Busy')).toEqual({ ok: true, status: 'Busy' });
      expect(await tab.setStatus('Busy')).toEqual({ ok: true, status: 'Busy' });
      expect(await tab.setStatus('Available')).toEqual({ ok: true, status: 'Available' });
      await waitFor(() => seen().includes('Available'), { message: 'the watcher never saw Available' });
      expect(seen()).toEqual(['Busy', 'Available']);
      // The tab's own echo of the broadcast: once per change too.
      expect(tab.statuses.filter((c) => c.userId === erin._id).map((c) => c.status)).toEqual([
        'Available',
        'Busy',
        'Available',
      ]);
    } finally {
      watcher.close();
      tab.close();
    }
  });

  test("status changes are limited per user across all of the user's sockets and nodes", async () => {
    const frank = await signUp(e2e.url, 'ses-status');
    const tabs = [
      await connected(frank),
      await connected(frank, nodeUrl(1)),
      await connected(frank, nodeUrl(2)),
    ];
    const set = (i: number, status: 'Available' | 'Busy') =>
      (tabs[i % tabs.length] as Socket)
        .timeout(5_000)
        .emitWithAck('setStatus', status) as Promise<SetStatusAck>;
    for (let i = 0; i < LIMITS.STATUS_CHANGES_PER_USER; i++) {
      expect(await set(i, i % 2 === 0 ? 'Busy' : 'Available')).toMatchObject({ ok: true });
    }
    for (let i = 0; i < tabs.length; i++) {
      expect(await set(i, 'Busy')).toMatchObject({ ok: false, code: 'REALTIME.RATE_LIMITED' });
    }
  });
});

describe('sessions', () => {
  test('POST /api/auth/logout-all: every token refused, sockets on both nodes closed, a new login works', async () => {
    const grace = await signUp(e2e.url, 'ses-all');
    const password = 'correct horse battery';
    const login = await browser(e2e.url).post('/api/auth/login', { username: grace.username, password });
    const secondDevice: SignedUpUser = { ...grace, cookie: jwtCookieOf(login.headers) ?? '' };
    const sockets = [
      await connected(grace, nodeUrl(1)),
      await connected(secondDevice, nodeUrl(2)),
      await connected(secondDevice),
    ];
    const closed = sockets.map(disconnected);

    const reply = await browser(e2e.url, grace.cookie).post<{ message: string }>('/api/auth/logout-all');
    expect(reply.status).toBe(200);
    expect(reply.headers.getSetCookie().some((line) => /^jwt=;/.test(line))).toBe(true);
    expect(await Promise.all(closed)).toEqual([
      'io server disconnect',
      'io server disconnect',
      'io server disconnect',
    ]);

    for (const device of [grace, secondDevice]) {
      expect((await browser(e2e.url, device.cookie).get('/api/auth/me')).status).toBe(401);
      expect((await refused(device, nodeUrl(1))).code).toBe('AUTH.INVALID_TOKEN');
    }
    const again = await browser(e2e.url).post('/api/auth/login', { username: grace.username, password });
    expect(again.status).toBe(200);
    const fresh: SignedUpUser = { ...grace, cookie: jwtCookieOf(again.headers) ?? '' };
    expect((await browser(e2e.url, fresh.cookie).get('/api/auth/me')).status).toBe(200);
    expect((await connected(fresh)).connected).toBe(true);
  });

  test('a revocation whose announcement was lost still closes the socket at the next re-check', async () => {
    const heidi = await signUp(e2e.url, 'ses-recheck');
    const tab: ChatSocket = await connectChat(e2e.url, heidi);
    opened.push(tab.socket);
    const jti = jtiOf(heidi);
    const closed = disconnected(tab.socket);
    // Written straight into the deny-list: no announcement on the revocation channel.
    await redis.set(redisKeys.denyList(jti), '1', 'EX', 600);
    expect(await closed).toBe('io server disconnect');
    // The gateway refuses the upgrade itself (401), before any node sees it.
    expect((await refused(heidi)).message).toBe('websocket error');
  });

  test('the ?token= handshake form is refused by the gateway', async () => {
    const ivan = await signUp(e2e.url, 'ses-query');
    const token = ivan.cookie.slice('jwt='.length);
    const res = await fetch(`${e2e.url}/socket.io/?EIO=4&transport=polling&token=${token}`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('Unauthorized - No Token Provided');
  });
});

/** The jti of a user's token, from its payload (the test holds the cookie the browser would). */
function jtiOf(user: SignedUpUser): string {
  const payload = user.cookie.slice('jwt='.length).split('.')[1] ?? '';
  const { jti } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { jti: string };
  return jti;
}

// Last: it spends this file's per-address budget.
describe('handshakes per address', () => {
  test('handshakes from one address are limited across users (REALTIME.TOO_MANY_HANDSHAKES)', async () => {
    let accepted = 0;
    let refusal: Refusal | undefined;
    while (!refusal && accepted <= LIMITS.HANDSHAKES_PER_IP) {
      const user = await signUp(e2e.url, 'ses-ip');
      const result = await handshake(user, accepted % 2 === 0 ? e2e.url : nodeUrl(1));
      if ('message' in result) refusal = result;
      else {
        accepted++;
        result.disconnect();
      }
    }
    expect(refusal?.code).toBe('REALTIME.TOO_MANY_HANDSHAKES');
    expect(accepted).toBeLessThan(LIMITS.HANDSHAKES_PER_IP);
  });
});
