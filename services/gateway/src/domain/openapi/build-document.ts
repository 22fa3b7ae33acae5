import type { z } from 'zod';
import type { ApiReply, ApiRoute, ErrorStatus } from './api-route.js';
import { API_ROUTES, NAMED_REPLIES } from './api-routes.js';
import { inputSchema, type JsonSchema, outputSchemas } from './json-schemas.js';

const ERROR_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'Invalid input: `<SERVICE>.INVALID_BODY`, `.INVALID_ID`, `.INVALID_QUERY`, or a rule of the route',
  401: 'No valid session: `AUTH.NO_TOKEN` (no `jwt` cookie) or `AUTH.INVALID_TOKEN` (invalid or revoked)',
  403: 'Refused: foreign Origin, not your message, or one of you blocked the other',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Request body too large',
  429: 'Too many requests; retry after `Retry-After` seconds',
};

/** The error statuses a route can answer: its own plus those every route of its kind gets. */
export function errorStatusesOf(route: ApiRoute): ErrorStatus[] {
  const statuses = new Set<ErrorStatus>(route.errors ?? []);
  if (route.params || route.query || route.headers || route.body) statuses.add(400);
  if (route.auth) statuses.add(401).add(429);
  if (route.method !== 'get') statuses.add(403);
  if (route.body) statuses.add(413);
  return [...statuses].sort((a, b) => a - b);
}

type SchemaOf = (schema: z.ZodType) => JsonSchema;

function parameters(route: ApiRoute): JsonSchema[] {
  const sources = [
    ['path', route.params],
    ['query', route.query],
    ['header', route.headers],
  ] as const;
  return sources.flatMap(([where, object]) => {
    if (!object) return [];
    const schema = inputSchema(object);
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((schema.required ?? []) as string[]);
    return Object.entries(properties).map(([name, property]) => ({
      name,
      in: where,
      required: where === 'path' || required.has(name),
      schema: property,
    }));
  });
}

function reply(entry: ApiReply, schemaOf: SchemaOf, setsCookie: boolean): JsonSchema {
  const contentType = entry.contentType ?? 'application/json';
  const described: JsonSchema = {
    description: entry.description,
    content: { [contentType]: { schema: schemaOf(entry.schema) } },
  };
  if (setsCookie) {
    described.headers = {
      'Set-Cookie': { description: 'The `jwt` session cookie', schema: { type: 'string' } },
    };
  }
  return described;
}

function operation(route: ApiRoute, schemaOf: SchemaOf): JsonSchema {
  const responses: Record<string, JsonSchema> = {
    [route.success.status]: reply(route.success, schemaOf, route.setsCookie === true),
  };
  for (const other of route.otherReplies ?? []) responses[other.status] = reply(other, schemaOf, false);
  const error = { content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorReply' } } } };
  for (const status of errorStatusesOf(route)) {
    responses[status] = { description: ERROR_DESCRIPTIONS[status], ...error };
  }
  responses.default = { description: 'Unexpected error (e.g. 502/503: a service is unreachable)', ...error };
  const op: JsonSchema = {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    security: route.auth ? [{ cookieAuth: [] }] : [],
    responses,
  };
  const params = parameters(route);
  if (params.length > 0) op.parameters = params;
  if (route.body) {
    op.requestBody = { required: true, content: { 'application/json': { schema: inputSchema(route.body) } } };
  }
  return op;
}

/** The OpenAPI 3.1 description of every public route, generated from the schemas the services validate with. */
export function buildOpenApiDocument(routes: readonly ApiRoute[] = API_ROUTES): JsonSchema {
  const replies = routes.flatMap((r) => [r.success, ...(r.otherReplies ?? [])]).map((r) => r.schema);
  const { components, schemaOf } = outputSchemas(NAMED_REPLIES, replies);
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const item = paths[route.path] ?? {};
    item[route.method] = operation(route, schemaOf);
    paths[route.path] = item;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Chat API',
      version: '2.0.0',
      description:
        'Every call goes through the gateway. Errors are `{error, code?}`: `error` a message for people, `code` a stable `<SERVICE>.<REASON>`. Sign up or log in to get the `jwt` cookie.',
    },
    servers: [{ url: '/' }],
    tags: ['auth', 'users', 'messages', 'conversations', 'health'].map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      securitySchemes: { cookieAuth: { type: 'apiKey', in: 'cookie', name: 'jwt' } },
    },
  };
}
