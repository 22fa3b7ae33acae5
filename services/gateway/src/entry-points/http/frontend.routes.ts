import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler, type Response, type Router } from 'express';

const YEAR_SECONDS = 365 * 24 * 60 * 60;

/** The product's own client as built in the repository (or image): `<root>/web/dist`, beside `services/`. */
export const BUNDLED_FRONTEND_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../../web/dist',
);

/** The folder to serve: `FRONTEND_DIR` when set, else the bundled client if it was built; else none. */
export function frontendDirToServe(configured: string | undefined, bundled: string): string | undefined {
  if (configured) return configured;
  return existsSync(path.join(bundled, 'index.html')) ? bundled : undefined;
}

// The gateway's own endpoints stay theirs even when the frontend would take any other path.
const SERVER_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

function isClientRoute(pathname: string): boolean {
  const lower = pathname.toLowerCase().replace(/\/+$/, '');
  if (SERVER_PATHS.has(lower)) return false;
  return !(lower === '/api' || lower.startsWith('/api/') || lower.startsWith('/socket.io'));
}

// Hashed build output never changes under its name; index.html must be revalidated to pick up a new build.
function setCacheHeaders(root: string) {
  const assets = path.join(root, 'assets') + path.sep;
  return (res: Response, filePath: string) => {
    if (filePath.startsWith(assets))
      res.setHeader('Cache-Control', `public, max-age=${YEAR_SECONDS}, immutable`);
    else if (path.basename(filePath) === 'index.html') res.setHeader('Cache-Control', 'no-cache');
  };
}

/**
 * Serves a built single-page frontend: its static files, and index.html for any other GET that asks for
 * HTML (client-side routes such as /login), never for /api or /socket.io.
 */
export function frontendRoutes(dir: string): Router {
  const root = path.resolve(dir);
  const router = express.Router();
  router.use(
    express.static(root, { index: 'index.html', fallthrough: true, setHeaders: setCacheHeaders(root) }),
  );
  const fallback: RequestHandler = (req, res, next) => {
    const wantsHtml = req.accepts(['html', 'json']) === 'html';
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !wantsHtml || !isClientRoute(req.path))
      return next();
    res.sendFile('index.html', { root, headers: { 'Cache-Control': 'no-cache' } }, (err) => {
      if (err) next();
    });
  };
  router.use(fallback);
  return router;
}
