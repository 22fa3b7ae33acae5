import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { correlatedLogger, type Logger } from '../logger/index.js';

export const REQUEST_ID_HEADER = 'x-request-id';

// Accept a caller's id only if it is short and printable: it is echoed and logged.
const SAFE_ID = /^[\w.:-]{1,128}$/;

/**
 * Reads `x-request-id` (or creates one), echoes it in the response and keeps it in `res.locals.requestId`,
 * the request's correlation id: routes pass it on explicitly ({@link requestIdOf}, {@link requestLogger}).
 */
export function requestId(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get(REQUEST_ID_HEADER);
    const id = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, id);
    res.locals.requestId = id;
    next();
  };
}

/** The id the `requestId` middleware gave this request, if it ran. */
export function requestIdOf(res: Response): string | undefined {
  const id: unknown = res.locals.requestId;
  return typeof id === 'string' ? id : undefined;
}

/** `logger` with this request's id as `correlationId` on every line (made when a request first logs). */
export function requestLogger(res: Response, logger: Logger): Logger {
  return correlatedLogger(logger, requestIdOf(res));
}
