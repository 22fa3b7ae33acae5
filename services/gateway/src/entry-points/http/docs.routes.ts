import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Router } from 'express';
import { buildOpenApiDocument } from '../../domain/openapi/build-document.js';
import { DOCS_INITIALIZER_JS, DOCS_PAGE_HTML } from './docs-page.js';

// Only what the page loads: not the package's own index.html/initializer, which point at an online demo.
const SWAGGER_ASSETS = ['swagger-ui.css', 'index.css', 'swagger-ui-bundle.js', 'favicon-32x32.png'];

function swaggerUiDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('swagger-ui-dist/package.json'));
}

/**
 * Public, served by the gateway itself: `GET /api/docs/openapi.json` (the OpenAPI document, built once) and
 * `GET /api/docs` (Swagger UI, every asset from the installed package, so it works offline). Mounted at
 * `DOCS_BASE`, so that every other request passes one prefix test rather than each route's pattern.
 */
export function docsRoutes(): Router {
  const document = JSON.stringify(buildOpenApiDocument());
  const assetsDir = swaggerUiDir();
  const router = express.Router();
  router.get('/openapi.json', (_req, res) => {
    // Changes only with a deploy; the ETag lets clients revalidate cheaply after that.
    res.set('Cache-Control', 'public, max-age=300').type('application/json').send(document);
  });
  router.get('/', (_req, res) => {
    res.set('Cache-Control', 'no-cache').type('html').send(DOCS_PAGE_HTML);
  });
  router.get('/docs-initializer.js', (_req, res) => {
    res.set('Cache-Control', 'no-cache').type('text/javascript').send(DOCS_INITIALIZER_JS);
  });
  for (const file of SWAGGER_ASSETS) {
    router.get(`/${file}`, (_req, res, next) => {
      res.sendFile(file, { root: assetsDir, maxAge: '1d' }, (err) => err && next(err));
    });
  }
  return router;
}
