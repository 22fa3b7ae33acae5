import { IncomingMessage, type ServerOptions, ServerResponse } from 'node:http';
import express from 'express';

/**
 * Server options under which `app` receives requests and responses that already have its prototypes.
 *
 * Express gives every request and response its own prototype (`Object.setPrototypeOf` in `app.handle`).
 * Re-parenting two objects per request changes their hidden classes, and every inline cache in Node's HTTP
 * code that sees them goes polymorphic: measured with a bare keep-alive proxy (0.07–0.09 ms of CPU per
 * request), that swap alone added 0.07–0.1 ms, about as much as the whole proxying. When the server constructs
 * them from classes whose prototypes *are* `app.request` and `app.response`, Express's swap finds the
 * prototype already in place and changes nothing. Express's methods, getters (`req.ip`, `req.path`…) and
 * `app` back-reference are inherited exactly as before.
 */
export function expressServerOptions(app: express.Express): ServerOptions {
  class Request extends IncomingMessage {}
  Object.setPrototypeOf(Request.prototype, express.request);
  class Response extends ServerResponse {}
  Object.setPrototypeOf(Response.prototype, express.response);
  for (const proto of [Request.prototype, Response.prototype]) {
    Object.defineProperty(proto, 'app', { configurable: true, enumerable: true, writable: true, value: app });
  }
  // Express reads these at every request (app.handle), so requests made from now on see no swap.
  Object.assign(app, { request: Request.prototype, response: Response.prototype });
  return { IncomingMessage: Request, ServerResponse: Response as typeof ServerResponse };
}
