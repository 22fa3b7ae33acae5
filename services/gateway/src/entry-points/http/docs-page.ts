// The API explorer page. Served from code rather than from files, so the runtime image (which carries only
// dist/) has it; the script is a file of its own because the CSP forbids inline scripts.

export const DOCS_BASE = '/api/docs';

export const DOCS_PAGE_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Chat API</title>
    <link rel="stylesheet" href="${DOCS_BASE}/swagger-ui.css" />
    <link rel="stylesheet" href="${DOCS_BASE}/index.css" />
    <link rel="icon" type="image/png" href="${DOCS_BASE}/favicon-32x32.png" sizes="32x32" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${DOCS_BASE}/swagger-ui-bundle.js"></script>
    <script src="${DOCS_BASE}/docs-initializer.js"></script>
  </body>
</html>
`;

// validatorUrl null: the default sends the document to an online validator; the page must work offline.
export const DOCS_INITIALIZER_JS = `'use strict';
window.ui = window.SwaggerUIBundle({
  url: '${DOCS_BASE}/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;
