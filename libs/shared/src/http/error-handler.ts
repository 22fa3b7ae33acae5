import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from '../logger/index.js';
import { AppError } from './app-error.js';
import { requestLogger } from './request-id.js';

function send(res: Response, status: number, error: string, code: string): void {
  res.status(status).json({ error, code });
}

/** Status of an http-errors style error (body-parser, express router), when it is a client error. */
function clientErrorStatus(err: unknown): number | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const status = (err as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function errorType(err: unknown): unknown {
  return err !== null && typeof err === 'object' ? (err as { type?: unknown }).type : undefined;
}

/** 404 `{ error: 'Not found', code: 'HTTP.NOT_FOUND' }` for anything no route answered. */
export const notFoundHandler: RequestHandler = (_req, res) => {
  send(res, 404, 'Not found', 'HTTP.NOT_FOUND');
};

/**
 * The one error middleware: AppError → its status and `{ error, code }`; body-parser failures → 413/400;
 * anything else is logged with its stack and answered with a generic 500. No stack ever reaches the client.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    // Too late to send a reply: let express close the connection.
    if (res.headersSent) return next(err);
    if (err instanceof AppError) {
      if (err.status >= 500) {
        requestLogger(res, logger).error({ err, method: req.method, path: req.path }, 'request failed');
      }
      return send(res, err.status, err.message, err.code);
    }
    const type = errorType(err);
    if (type === 'entity.too.large')
      return send(res, 413, 'Request body too large', 'HTTP.PAYLOAD_TOO_LARGE');
    if (type === 'entity.parse.failed') return send(res, 400, 'Malformed JSON body', 'HTTP.MALFORMED_JSON');
    const status = clientErrorStatus(err);
    if (status !== undefined) {
      requestLogger(res, logger).debug({ status, type, method: req.method, path: req.path }, 'client error');
      return send(res, status, STATUS_CODES[status] ?? 'Bad request', 'HTTP.BAD_REQUEST');
    }
    requestLogger(res, logger).error({ err, method: req.method, path: req.path }, 'unhandled error');
    send(res, 500, 'Internal server error', 'INTERNAL');
  };
}
