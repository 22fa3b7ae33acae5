import type { Logger } from '@chat/shared/logger';
import type { PresenceStore } from '../data-access/presence.store.js';
import type { Admission, AdmissionLimits, AdmissionRequest } from './admission.js';
import type { Notifier } from './notifier.js';

export interface PresenceTracker {
  /** First heartbeat, then the refresh and sweep timers. */
  start(): Promise<void>;
  /** Heartbeat now (e.g. right after a Redis outage), besides the timer. */
  refreshNow(): Promise<void>;
  connected(userId: string): Promise<void>;
  /**
   * A handshake: admitted (counted like `connected`, greeting read) or refused, in one store step. An
   * admitted socket that never connects must be uncounted with `disconnected`.
   */
  admit(request: AdmissionRequest, limits: AdmissionLimits): Promise<Admission>;
  disconnected(userId: string): Promise<void>;
  onlineUsers(): Promise<string[]>;
  /** Graceful: wait for pending updates, remove this node (offline broadcasts), flush the broadcast. */
  stop(): Promise<void>;
  /** Crash simulation for tests: stop every timer and ignore socket changes, leaving Redis as it is. */
  halt(): void;
}

export interface PresenceOptions {
  store: PresenceStore;
  notifier: Notifier;
  logger: Logger;
  refreshMs: number;
  sweepMs: number;
  broadcastMs: number;
  now?: () => number;
}

/**
 * Tracks this node's sockets per user and turns the store's transitions into broadcasts: `presence` once
 * per transition (one node wins each transition in Redis), `getOnlineUsers` at most once per window.
 */
export function createPresenceTracker(opts: PresenceOptions): PresenceTracker {
  const { store, notifier, logger } = opts;
  const now = opts.now ?? Date.now;
  const counts = new Map<string, number>();
  const pending = new Set<Promise<void>>();
  const timers: NodeJS.Timeout[] = [];
  let broadcastTimer: NodeJS.Timeout | undefined;
  let halted = false;

  const broadcastOnlineUsers = async () => {
    broadcastTimer = undefined;
    try {
      notifier.toAll('getOnlineUsers', await store.onlineUsers(now()));
    } catch (err) {
      logger.warn({ err }, 'online users broadcast failed');
    }
  };
  const announce = (userIds: string[], online: boolean) => {
    if (userIds.length === 0) return;
    for (const userId of userIds) notifier.toAll('presence', { userId, online });
    broadcastTimer ??= setTimeout(() => void broadcastOnlineUsers(), opts.broadcastMs);
  };
  // Store calls go out in call order on one connection; `pending` lets stop() wait for them.
  const track = (label: string, work: Promise<void>) => {
    const task = work.catch((err: unknown) => logger.warn({ err }, `presence ${label} failed`));
    pending.add(task);
    void task.finally(() => pending.delete(task));
    return task;
  };
  const every = (ms: number, label: string, fn: () => Promise<void>) => {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      void track(label, fn()).finally(() => {
        running = false;
      });
    }, ms);
    timers.push(timer);
  };
  const refresh = async () => announce(await store.refresh(counts, now()), true);
  const sweep = async () => announce(await store.sweep(now()), false);

  return {
    async start() {
      await refresh();
      every(opts.refreshMs, 'refresh', refresh);
      every(opts.sweepMs, 'sweep', sweep);
    },
    refreshNow: () => (halted ? Promise.resolve() : track('refresh', refresh())),
    connected(userId) {
      if (halted) return Promise.resolve();
      counts.set(userId, (counts.get(userId) ?? 0) + 1);
      return track(
        'connect',
        store.connect(userId, now()).then((came) => announce(came ? [userId] : [], true)),
      );
    },
    async admit(request, limits) {
      if (halted) throw new Error('presence halted');
      const { userId } = request;
      // Counted before the store call, so a heartbeat sent after it carries this socket (calls keep their order).
      counts.set(userId, (counts.get(userId) ?? 0) + 1);
      const uncount = () => {
        const left = (counts.get(userId) ?? 1) - 1;
        if (left > 0) counts.set(userId, left);
        else counts.delete(userId);
      };
      try {
        const { admission, cameOnline } = await store.admit(request, limits, now());
        if (admission.fact === 'admitted') announce(cameOnline ? [userId] : [], true);
        else uncount();
        return admission;
      } catch (err) {
        uncount();
        throw err;
      }
    },
    disconnected(userId) {
      if (halted) return Promise.resolve();
      const left = (counts.get(userId) ?? 1) - 1;
      if (left > 0) counts.set(userId, left);
      else counts.delete(userId);
      return track(
        'disconnect',
        store.disconnect(userId, now()).then((went) => announce(went ? [userId] : [], false)),
      );
    },
    onlineUsers: () => store.onlineUsers(now()),
    async stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
      await Promise.allSettled([...pending]);
      halted = true;
      await track('leave', (async () => announce(await store.leave(now()), false))());
      if (broadcastTimer) {
        clearTimeout(broadcastTimer);
        await broadcastOnlineUsers();
      }
    },
    halt() {
      halted = true;
      for (const timer of timers.splice(0)) clearInterval(timer);
      clearTimeout(broadcastTimer);
      broadcastTimer = undefined;
    },
  };
}
