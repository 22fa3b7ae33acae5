/** Methods that change state: a cross-site page must not be able to send them with the user's cookie. */
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface OriginCheck {
  method: string;
  origin: string | undefined;
  /** The Host header: a page served by the gateway itself is same-origin. */
  host: string | undefined;
  isSocketHandshake: boolean;
}

function sameHost(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * Cross-site protection for cookie auth (SameSite alone misses same-site subdomains and WebSocket hijacking):
 * unsafe methods and the socket handshake are refused when an Origin is present and not allowed.
 * No Origin (curl, server-side clients) carries no ambient browser credentials, so it passes.
 */
export function isOriginAllowed(check: OriginCheck, allowList: readonly string[]): boolean {
  if (!check.isSocketHandshake && !UNSAFE_METHODS.has(check.method)) return true;
  if (check.origin === undefined) return true;
  return allowList.includes(check.origin) || sameHost(check.origin, check.host);
}
