export type Upstream = 'auth' | 'users' | 'messages' | 'realtime';
export type CredentialLimit = 'login' | 'signup';

export interface RoutePolicy {
  upstream: Upstream;
  /** A valid, unrevoked user token is required; otherwise the request goes on with no identity. */
  requiresAuth: boolean;
  /** Login/signup: the JSON body is parsed at the gateway to rate-limit per username. */
  credentialLimit?: CredentialLimit;
  /** Counted against the per-user API limit. */
  userApiLimit: boolean;
}

/**
 * Lower-cases, collapses repeated slashes and drops trailing ones. The upstreams' routers are
 * case-insensitive and ignore a trailing slash, so the gateway must classify `/API/Auth/Login/` as login.
 */
export function normalizePath(pathname: string): string {
  const collapsed = pathname.toLowerCase().replace(/\/{2,}/g, '/');
  const trimmed = collapsed.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

function under(path: string, prefix: string): boolean {
  return path.startsWith(prefix) && (path.length === prefix.length || path[prefix.length] === '/');
}

const PROTECTED_AUTH_PATHS = new Set(['/api/auth/me', '/api/auth/logout', '/api/auth/logout-all']);

/** Which upstream serves a request and which checks apply; undefined when the gateway serves it itself. */
export function routePolicy(method: string, pathname: string): RoutePolicy | undefined {
  const path = normalizePath(pathname);
  if (under(path, '/socket.io')) return { upstream: 'realtime', requiresAuth: true, userApiLimit: false };
  if (under(path, '/api/users')) return { upstream: 'users', requiresAuth: true, userApiLimit: true };
  if (under(path, '/api/messages')) return { upstream: 'messages', requiresAuth: true, userApiLimit: true };
  if (under(path, '/api/conversations')) {
    return { upstream: 'messages', requiresAuth: true, userApiLimit: true };
  }
  if (!under(path, '/api/auth')) return undefined;
  if (PROTECTED_AUTH_PATHS.has(path)) return { upstream: 'auth', requiresAuth: true, userApiLimit: true };
  const policy: RoutePolicy = { upstream: 'auth', requiresAuth: false, userApiLimit: false };
  if (method === 'POST' && path === '/api/auth/login') policy.credentialLimit = 'login';
  if (method === 'POST' && path === '/api/auth/signup') policy.credentialLimit = 'signup';
  return policy;
}
