import { createLogger } from '@chat/shared/logger';
import { waitFor } from '@chat/shared/testing';
import { afterEach, describe, expect, test } from 'vitest';
import type { PresenceStore } from '../src/data-access/presence.store.js';
import type { Notifier } from '../src/domain/notifier.js';
import { createPresenceTracker, type PresenceTracker } from '../src/domain/presence.js';
import { createTokenBucket } from '../src/domain/token-bucket.js';

// An in-memory stand-in with the store's contract (one node), to count broadcasts precisely.
function memoryStore(): PresenceStore {
  const counts = new Map<string, number>();
  return {
    admit: async () => {
      throw new Error('not used here');
    },
    async connect(userId) {
      counts.set(userId, (counts.get(userId) ?? 0) + 1);
      return counts.get(userId) === 1;
    },
    async disconnect(userId) {
      const left = (counts.get(userId) ?? 1) - 1;
      if (left > 0) counts.set(userId, left);
      else counts.delete(userId);
      return left === 0;
    },
    refresh: async () => [],
    sweep: async () => [],
    leave: async () => [...counts.keys()],
    onlineUsers: async () => [...counts.keys()],
  };
}

function recordingNotifier() {
  const sent: Array<{ event: string; args: unknown[] }> = [];
  const notifier: Notifier = {
    toAll: (event, ...args) => sent.push({ event, args }),
  };
  const of = (event: string) => sent.filter((s) => s.event === event).map((s) => s.args[0]);
  return { notifier, of };
}

let tracker: PresenceTracker | undefined;
afterEach(async () => {
  await tracker?.stop();
});

describe('presence broadcasts', () => {
  test('a burst of 1,000 users coming online sends 1,000 presence events but one getOnlineUsers', async () => {
    const { notifier, of } = recordingNotifier();
    tracker = createPresenceTracker({
      store: memoryStore(),
      notifier,
      logger: createLogger({ service: 't', level: 'silent' }),
      refreshMs: 60_000,
      sweepMs: 60_000,
      broadcastMs: 100,
    });
    await tracker.start();
    const users = Array.from({ length: 1_000 }, (_, i) => `user-${i}`);

    await Promise.all(users.flatMap((u) => [tracker?.connected(u), tracker?.connected(u)]));

    await waitFor(() => of('getOnlineUsers').length > 0, { message: 'no getOnlineUsers broadcast' });
    expect(of('getOnlineUsers')).toEqual([expect.arrayContaining(users)]);
    expect(of('presence')).toHaveLength(1_000);
    await tracker.disconnected('user-0');
    await tracker.disconnected('user-0');
    await waitFor(() => of('getOnlineUsers').length === 2, { message: 'no broadcast for the next window' });
    expect(of('presence').at(-1)).toEqual({ userId: 'user-0', online: false });
  });
});

describe('token bucket', () => {
  test('allows the burst, refuses the excess, refills with time', () => {
    let now = 0;
    const bucket = createTokenBucket({ capacity: 3, perSecond: 2, now: () => now });

    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now = 500;
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
  });
});
