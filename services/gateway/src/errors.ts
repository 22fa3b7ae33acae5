import { invalidTokenError, noTokenError } from '@chat/shared/auth';
import { AppError } from '@chat/shared/http';

/** Every error the gateway itself answers with; the shared errorHandler turns them into `{ error, code }`. */
export const gatewayErrors = {
  noToken: (): AppError => noTokenError(),
  invalidToken: (): AppError => invalidTokenError(),
  invalidPath: (): AppError => new AppError('GATEWAY.INVALID_PATH', 400, 'Invalid request path'),
  originNotAllowed: (): AppError => new AppError('GATEWAY.ORIGIN_NOT_ALLOWED', 403, 'Origin not allowed'),
  payloadTooLarge: (): AppError => new AppError('HTTP.PAYLOAD_TOO_LARGE', 413, 'Request body too large'),
  upstreamUnavailable: (): AppError =>
    new AppError('GATEWAY.UPSTREAM_UNAVAILABLE', 502, 'Service unavailable'),
  upstreamTimeout: (): AppError => new AppError('GATEWAY.UPSTREAM_TIMEOUT', 503, 'Service unavailable'),
  noRealtimeNode: (): AppError => new AppError('GATEWAY.NO_REALTIME_NODE', 503, 'Service unavailable'),
  dependencyUnavailable: (): AppError =>
    new AppError('GATEWAY.DEPENDENCY_UNAVAILABLE', 503, 'Service unavailable'),
};

/** A 429 that also tells the client when to retry. */
export class RateLimitedError extends AppError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super('GATEWAY.RATE_LIMITED', 429, 'Too many requests, try again later');
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
