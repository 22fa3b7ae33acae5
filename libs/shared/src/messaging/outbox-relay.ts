import type { Logger } from 'pino';
import type { EventOf, RoutingKey } from '../events/index.js';
import type { Publisher } from './types.js';

/** The AMQP header carrying the id of the HTTP request that caused an event (the gateway's `x-request-id`). */
export const CORRELATION_HEADER = 'x-request-id';

export interface OutboxEntry {
  id: string;
  routingKey: RoutingKey;
  payload: unknown;
  /** The request id stored with the entry, published as the {@link CORRELATION_HEADER} header. */
  correlationId?: string;
}

export interface OutboxStore {
  /** Up to `limit` unpublished entries, oldest first. */
  pending(limit: number): Promise<OutboxEntry[]>;
  /** Records that the broker confirmed these entries (one write for the whole batch). */
  markPublished(ids: string[]): Promise<void>;
  /**
   * Optional: these entries were taken by `pending` but not confirmed (the batch failed). A store that
   * holds entries for this relay alone (leased, or in memory) gives them back here so a retry finds them.
   */
  release?(ids: string[]): Promise<void>;
}

export interface OutboxRelay {
  /** Drain now (coalesced with a drain already running). */
  wake(): void;
  /** Stop the loop and wait for the drain in progress. */
  stop(): Promise<void>;
}

export interface OutboxRelayOptions {
  store: OutboxStore;
  publisher: Publisher;
  logger: Logger;
  /** Poll interval while healthy (default 1000 ms). */
  intervalMs?: number;
  /** Entries read per `pending` call (default 100). */
  batchSize?: number;
  /** First retry delay after a failure, doubled per consecutive failure (default 500 ms)... */
  retryBaseMs?: number;
  /** ...up to this cap (default 30000 ms). */
  maxBackoffMs?: number;
}

/**
 * Relay outbox entries to the broker. A batch is published in order on the confirm channel without waiting
 * for each confirm in turn (the broker pipelines them), then the confirmed prefix is marked in one write.
 * At-least-once: a crash before the mark, or a failure in the middle of a batch, republishes the entries
 * after it with the same eventIds, which consumers deduplicate; order is kept because only an unbroken
 * prefix is ever marked. A failure retries after a capped exponential backoff. Never two drains at once.
 */
export function startOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const { store, publisher, logger } = opts;
  const intervalMs = opts.intervalMs ?? 1_000;
  const batchSize = opts.batchSize ?? 100;
  const retryBaseMs = opts.retryBaseMs ?? 500;
  const maxBackoffMs = opts.maxBackoffMs ?? 30_000;
  const log = logger.child({ component: 'outbox-relay' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let wakeRequested = false;
  let failures = 0;
  let stopped = false;

  /**
   * Resolves once the broker confirmed the entry. One that is never confirmed blocks the relay (retried with
   * backoff) rather than be lost or overtaken.
   */
  const publishEntry = async (entry: OutboxEntry): Promise<void> => {
    const headers =
      entry.correlationId === undefined ? undefined : { [CORRELATION_HEADER]: entry.correlationId };
    await publisher.publish(entry.routingKey, entry.payload as EventOf<RoutingKey>, headers && { headers });
  };

  /** Publishes one batch; marks the confirmed prefix; rethrows the first failure after marking. */
  const publishBatch = async (batch: OutboxEntry[]) => {
    const outcomes = await Promise.allSettled(batch.map((entry) => publishEntry(entry)));
    const firstFailure = outcomes.findIndex((outcome) => outcome.status === 'rejected');
    const confirmed = batch.slice(0, firstFailure === -1 ? batch.length : firstFailure).map((e) => e.id);
    if (confirmed.length > 0) await store.markPublished(confirmed);
    const failure = outcomes[firstFailure];
    if (failure?.status === 'rejected') {
      // From the first failure on, nothing was marked: those entries go back to the store.
      const unconfirmed = batch.slice(firstFailure).map((e) => e.id);
      if (store.release) {
        await store.release(unconfirmed).catch((err: unknown) => log.warn({ err }, 'outbox release failed'));
      }
      throw failure.reason;
    }
  };

  /** Publish batches until the store has nothing pending (or we are stopped). */
  const drainAll = async () => {
    while (!stopped) {
      const batch = await store.pending(batchSize);
      if (batch.length > 0) await publishBatch(batch);
      if (batch.length < batchSize) return;
    }
  };

  const schedule = (delayMs: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(run, delayMs);
    timer.unref();
  };

  function run(): void {
    if (stopped || running) return;
    clearTimeout(timer);
    wakeRequested = false;
    running = drainAll().then(
      () => {
        failures = 0;
      },
      (err: unknown) => {
        failures += 1;
        log.warn({ err, failures }, 'outbox drain failed; retrying');
      },
    );
    void running.then(() => {
      running = undefined;
      if (failures > 0) schedule(Math.min(maxBackoffMs, retryBaseMs * 2 ** (failures - 1)));
      else if (wakeRequested) run();
      else schedule(intervalMs);
    });
  }

  run();
  return {
    wake() {
      if (stopped) return;
      if (running) wakeRequested = true;
      else run();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
