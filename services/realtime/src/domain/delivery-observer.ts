export type DeliveryOutcome =
  | 'delivered'
  | 'deferred'
  | 'offline'
  | 'duplicate'
  | 'flushed'
  | 'blocked'
  | 'deleted';

/** Where delivery reports what it did (metrics); a no-op is fine. */
export interface DeliveryObserver {
  outcome(outcome: DeliveryOutcome): void;
  /** Seconds from the event's occurredAt to its emit. */
  lag(path: 'live' | 'held', seconds: number): void;
}

export const silentObserver: DeliveryObserver = { outcome: () => undefined, lag: () => undefined };

export function lagSeconds(occurredAt: string, now: number): number {
  return Math.max(0, (now - Date.parse(occurredAt)) / 1000);
}
