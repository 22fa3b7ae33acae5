import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { withCorrelationId } from '../logger/correlation.js';

export const REQUEST_ID_HEADER = 'x-request-id';

// Accept a caller's id only if it is short and printable: it is echoed and logged.
const SAFE_ID = /^[\w.:-]{1,128}$/;

/**
 * Reads `x-request-id` (or creates one), echoes it in the response and binds it as the correlation id
 * for the rest of the request.
 */
export function requestId(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get(REQUEST_ID_HEADER);
    const id = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, id);
    res.locals.requestId = id;
    withCorrelationId(id, () => next());
  };
}
