import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger };

/** Paths pino replaces with '[redacted]': credentials must never reach the logs. */
export const REDACT_PATHS: readonly string[] = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-internal-token"]',
  'req.headers["set-cookie"]',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
  'headers["x-internal-token"]',
  'cookie',
  'authorization',
  'password',
  'token',
  '*.password',
  '*.token',
  '*.confirmPassword',
  'confirmPassword',
];

/**
 * A pino logger writing JSON lines to stdout (or `destination`, for tests) with `service` in every line and
 * credentials redacted. Lines about one request or event carry its id through {@link correlatedLogger}.
 */
export function createLogger(opts: {
  service: string;
  level?: string;
  destination?: DestinationStream;
}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    base: { service: opts.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
  };
  // pino's default destination writes synchronously to stdout, so nothing is lost on process.exit.
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/**
 * `logger` with `correlationId` on every line: the id of the request that caused the work (the gateway's
 * `x-request-id`), carried explicitly — on the request, the outbox entry, the AMQP header — rather than bound
 * with AsyncLocalStorage, whose promise hooks cost every promise of the process. Without an id, `logger` itself.
 */
export function correlatedLogger(logger: Logger, correlationId: string | undefined): Logger {
  return correlationId === undefined ? logger : logger.child({ correlationId });
}
