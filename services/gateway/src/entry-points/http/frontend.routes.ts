import path from 'node:path';
import express, { type RequestHandler, type Router } from 'express';

function isClientRoute(pathname: string): boolean {
  const lower = pathname.toLowerCase();
  return !(lower === '/api' || lower.startsWith('/api/') || lower.startsWith('/socket.io'));
}

/**
 * Serves a built single-page frontend: its static files, and index.html for any other GET that asks for
 * HTML (client-side routes such as /login), never for /api or /socket.io.
 */
export function frontendRoutes(dir: string): Router {
  const root = path.resolve(dir);
  const router = express.Router();
  router.use(express.static(root, { index: 'index.html', fallthrough: true }));
  const fallback: RequestHandler = (req, res, next) => {
    const wantsHtml = req.accepts(['html', 'json']) === 'html';
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !wantsHtml || !isClientRoute(req.path))
      return next();
    res.sendFile('index.html', { root }, (err) => {
      if (err) next();
    });
  };
  router.use(fallback);
  return router;
}
