/**
 * Whether the conversations' outbox may hold read events, so the relay reads that collection only then
 * instead of on every poll. Exact for this process: a read write is counted from before it is sent until
 * it returns. Other instances' reads are published by their own relays; a full look every `fullLookMs`
 * still catches whatever a crashed instance left behind.
 */
export interface ReadOutboxWatch {
  /** Run a write that may queue a read event. */
  around<T>(write: () => Promise<T>): Promise<T>;
  /** At the start of a poll: should it read the conversations? The token detects reads during the poll. */
  begin(): { look: boolean; token: number };
  /** After reading the messages without the conversations: did a read start or land since `begin`? */
  changedSince(token: number): boolean;
  /** The conversations still held events: keep looking until they are drained. */
  stillPending(): void;
}

export function createReadOutboxWatch(fullLookMs = 5_000, now: () => number = Date.now): ReadOutboxWatch {
  let inFlight = 0;
  let generation = 0;
  let dirty = true;
  let lastFullLook = Number.NEGATIVE_INFINITY;
  return {
    async around(write) {
      inFlight += 1;
      generation += 1;
      try {
        return await write();
      } finally {
        inFlight -= 1;
        generation += 1;
        dirty = true;
      }
    },
    begin() {
      const look = dirty || inFlight > 0 || now() - lastFullLook >= fullLookMs;
      if (look) {
        // Cleared before the read: a read event queued while it runs sets it again.
        dirty = false;
        lastFullLook = now();
      }
      return { look, token: generation };
    },
    changedSince: (token) => inFlight > 0 || generation !== token,
    stillPending() {
      dirty = true;
    },
  };
}
