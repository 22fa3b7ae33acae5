export type TargetVerdict =
  | { ok: true; pathname: string; search: string }
  | { ok: false; reason: 'not-origin-form' | 'backslash' | 'encoded-separator' | 'dot-segment' };

const ENCODED_SEPARATOR = /%(?:2f|5c)/i;
const MAY_HOLD_DOT = /[.%]/;

// `.`, `..` and their percent-encoded spellings (`%2e`, `.%2E`, …).
function isDotSegment(segment: string): boolean {
  const decoded = segment.replace(/%2e/gi, '.');
  return decoded === '.' || decoded === '..';
}

/**
 * The one path the gateway classifies and forwards. Spellings that the gateway's router and the proxy (or
 * an upstream) would read differently are refused rather than guessed at: a backslash (the proxy turns it
 * into `/`), an encoded `/` or `\`, and dot segments (URL parsers resolve them, routers do not). Repeated
 * slashes are collapsed; case is kept, since the upstreams' routers ignore it but ids in paths must not.
 */
export function canonicalTarget(target: string): TargetVerdict {
  const queryAt = target.indexOf('?');
  const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
  const search = queryAt === -1 ? '' : target.slice(queryAt);
  const pathname = rawPath.split('#')[0] ?? '';
  if (!pathname.startsWith('/')) return { ok: false, reason: 'not-origin-form' };
  if (pathname.includes('\\')) return { ok: false, reason: 'backslash' };
  if (ENCODED_SEPARATOR.test(pathname)) return { ok: false, reason: 'encoded-separator' };
  // Most paths hold neither a dot nor a percent sign, and so no dot segment: no split for them.
  if (MAY_HOLD_DOT.test(pathname) && pathname.split('/').some(isDotSegment)) {
    return { ok: false, reason: 'dot-segment' };
  }
  return { ok: true, pathname: pathname.replace(/\/{2,}/g, '/'), search };
}
