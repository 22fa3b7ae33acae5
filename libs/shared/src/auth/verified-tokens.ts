/** Adds `key → value` to an insertion-ordered map of at most `maxEntries`, forgetting the oldest first. */
export function rememberBounded<K, V>(map: Map<K, V>, key: K, value: V, maxEntries: number): void {
  if (map.size >= maxEntries) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}

/**
 * `verify` with its successes remembered by the token's exact text until the token's `exp` (s): a caller
 * sends the same token on request after request, and once the signature of those bytes has been checked,
 * only time can make them invalid (the rule jsonwebtoken applies: valid while now < exp). Failures are not
 * remembered, so a bad token costs a verification every time, as before.
 */
export function rememberVerified<T>(
  verify: (token: string) => { value: T; exp: number },
  maxEntries = 10_000,
): (token: string) => T {
  const verified = new Map<string, { value: T; exp: number }>();
  return (token) => {
    const known = verified.get(token);
    if (known && Math.floor(Date.now() / 1000) < known.exp) return known.value;
    if (known) verified.delete(token);
    const fresh = verify(token);
    rememberBounded(verified, token, fresh, maxEntries);
    return fresh.value;
  };
}
