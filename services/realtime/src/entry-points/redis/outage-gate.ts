import type { Logger } from '@chat/shared/logger';
import type { Redis } from '@chat/shared/redis';

/** Holds deliveries while Redis is away, and after it returns until presence is trustworthy again. */
export interface OutageGate {
  /** Resolves when deliveries may run; rejects when `signal` aborts first. */
  open(signal: AbortSignal): Promise<void>;
  stop(): void;
}

export interface OutageGateOptions {
  /** Re-assert this node's presence (its heartbeat) as soon as Redis is back. */
  onRecovered: () => Promise<void>;
  /** Outages longer than this may have let online scores lapse (presence TTL minus its refresh period). */
  lapseAfterMs: number;
  /** How long the other nodes need to re-assert theirs (one refresh period). */
  settleMs: number;
  logger: Logger;
}

/**
 * An outage longer than the presence TTL lets every online score lapse: a delivery recorded right after
 * Redis returns would see connected users as offline and skip the live push. So after such an outage the
 * gate stays shut until this node has refreshed its presence and the other nodes had one refresh period
 * to do the same. Starts open; `redis` must already be connected.
 */
export function createOutageGate(redis: Redis, opts: OutageGateOptions): OutageGate {
  let shut: { since: number; opened: Promise<void>; release: () => void } | undefined;
  const onClose = () => {
    if (shut) return;
    let release = () => {};
    const opened = new Promise<void>((resolve) => {
      release = resolve;
    });
    shut = { since: Date.now(), opened, release };
  };
  const onReady = async () => {
    const current = shut;
    if (!current) return;
    const outageMs = Date.now() - current.since;
    await opts
      .onRecovered()
      .catch((err: unknown) => opts.logger.warn({ err }, 'presence refresh after outage failed'));
    if (outageMs > opts.lapseAfterMs) await new Promise((resolve) => setTimeout(resolve, opts.settleMs));
    if (redis.status !== 'ready') return; // lost again meanwhile: stay shut until the next ready
    opts.logger.info({ outageMs }, 'redis back; deliveries resume');
    shut = undefined;
    current.release();
  };
  const handleReady = () => void onReady();
  redis.on('close', onClose);
  redis.on('ready', handleReady);
  return {
    open(signal) {
      if (signal.aborted) return Promise.reject(new Error('consumer stopping'));
      if (!shut) return Promise.resolve();
      const { opened } = shut;
      return new Promise((resolve, reject) => {
        const onAbort = () => reject(new Error('consumer stopping'));
        signal.addEventListener('abort', onAbort, { once: true });
        void opened.then(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    },
    stop() {
      redis.off('close', onClose);
      redis.off('ready', handleReady);
      shut?.release();
    },
  };
}
