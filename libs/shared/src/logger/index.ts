import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { currentCorrelationId } from './correlation.js';

export { currentCorrelationId, withCorrelationId } from './correlation.js';
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
 * A pino logger writing JSON lines to stdout (or `destination`, for tests) with `service` in every line,
 * credentials redacted, and the current correlation id added as `correlationId`.
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
    mixin() {
      const correlationId = currentCorrelationId();
      return correlationId === undefined ? {} : { correlationId };
    },
  };
  // pino's default destination writes synchronously to stdout, so nothing is lost on process.exit.
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
