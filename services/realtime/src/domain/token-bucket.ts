export interface TokenBucket {
  /** Take one token; false when the bucket is empty. */
  take(): boolean;
}

/** A token bucket holding up to `capacity` tokens, refilled continuously at `perSecond`. */
export function createTokenBucket(opts: {
  capacity: number;
  perSecond: number;
  now?: () => number;
}): TokenBucket {
  const now = opts.now ?? Date.now;
  let tokens = opts.capacity;
  let last = now();
  return {
    take() {
      const current = now();
      tokens = Math.min(opts.capacity, tokens + ((current - last) / 1000) * opts.perSecond);
      last = current;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
