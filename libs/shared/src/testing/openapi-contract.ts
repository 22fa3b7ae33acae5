import { z } from 'zod';

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'] as const;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function methodsOf(item: unknown): string[] {
  return METHODS.filter((m) => isRecord(item) && isRecord(item[m]));
}

function recordAt(value: unknown, key: string): Json {
  const child = isRecord(value) ? value[key] : undefined;
  return isRecord(child) ? child : {};
}

/** Every operation of an OpenAPI document as `GET /path/{param}`. */
export function operationsOf(doc: unknown): string[] {
  return Object.entries(recordAt(doc, 'paths')).flatMap(([path, item]) =>
    methodsOf(item).map((m) => `${m.toUpperCase()} ${path}`),
  );
}

function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = isRecord(node) ? node[key] : undefined;
  }
  return node;
}

function refsIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const child of node) refsIn(child, found);
  else if (isRecord(node)) {
    if (typeof node.$ref === 'string') found.push(node.$ref);
    for (const child of Object.values(node)) refsIn(child, found);
  }
  return found;
}

function operationProblems(doc: unknown, path: string, method: string, op: Json): string[] {
  const where = `${method.toUpperCase()} ${path}`;
  const problems: string[] = [];
  const responses = recordAt(op, 'responses');
  if (!Object.keys(responses).some((status) => /^2\d\d$/.test(status)))
    problems.push(`${where}: no 2xx reply`);
  for (const [status, reply] of Object.entries(responses)) {
    if (!isRecord(reply) || typeof reply.description !== 'string') {
      problems.push(`${where} ${status}: no description`);
    }
  }
  const params = Array.isArray(op.parameters) ? op.parameters.filter(isRecord) : [];
  const declared = params.filter((p) => p.in === 'path' && p.required === true).map((p) => p.name);
  const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  if ([...declared].sort().join() !== [...templated].sort().join()) {
    problems.push(`${where}: path parameters ${declared.join()} do not match the template`);
  }
  const schemes = recordAt(recordAt(doc, 'components'), 'securitySchemes');
  const security = Array.isArray(op.security) ? op.security.filter(isRecord) : [];
  for (const name of security.flatMap((s) => Object.keys(s))) {
    if (!(name in schemes)) problems.push(`${where}: unknown security scheme ${name}`);
  }
  return problems;
}

/** What is structurally wrong with an OpenAPI 3.1 document (empty when nothing is). */
export function openApiProblems(doc: unknown): string[] {
  if (!isRecord(doc)) return ['not an object'];
  const problems: string[] = [];
  if (doc.openapi !== '3.1.0') problems.push(`openapi is ${String(doc.openapi)}, not 3.1.0`);
  const info = recordAt(doc, 'info');
  if (typeof info.title !== 'string' || typeof info.version !== 'string')
    problems.push('info lacks title/version');
  const paths = recordAt(doc, 'paths');
  if (Object.keys(paths).length === 0) problems.push('no paths');
  const operationIds = new Set<unknown>();
  for (const [path, item] of Object.entries(paths)) {
    const ops = methodsOf(item);
    if (ops.length === 0) problems.push(`${path}: no operations`);
    for (const method of ops) {
      const op = recordAt(recordAt(paths, path), method);
      if (operationIds.has(op.operationId)) problems.push(`duplicate operationId ${String(op.operationId)}`);
      operationIds.add(op.operationId);
      problems.push(...operationProblems(doc, path, method, op));
    }
  }
  for (const ref of new Set(refsIn(doc))) {
    if (resolvePointer(doc, ref) === undefined) problems.push(`unresolved $ref ${ref}`);
  }
  return problems;
}

/** The template (`/api/messages/{id}`) a concrete path matches; literal segments win over parameters. */
export function templateOf(doc: unknown, method: string, concretePath: string): string | undefined {
  const candidates = operationsOf(doc)
    .filter((op) => op.startsWith(`${method.toUpperCase()} `))
    .map((op) => op.slice(method.length + 1))
    .filter((template) => {
      const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
      return new RegExp(`^${pattern}$`).test(concretePath);
    });
  const params = (t: string) => (t.match(/\{/g) ?? []).length;
  return candidates.sort((a, b) => params(a) - params(b))[0];
}

function operationAt(doc: unknown, method: string, template: string): Json {
  return recordAt(recordAt(recordAt(doc, 'paths'), template), method.toLowerCase());
}

/** A JSON Schema of the document as zod: components ride along as `$defs`, the only refs zod resolves. */
function zodOf(doc: unknown, schema: Json): z.ZodType {
  const defs = recordAt(recordAt(doc, 'components'), 'schemas');
  const text = JSON.stringify({ ...schema, $defs: defs }).replaceAll('"#/components/schemas/', '"#/$defs/');
  return z.fromJSONSchema(JSON.parse(text));
}

function firstMedia(node: unknown): { contentType: string; schema: Json } | undefined {
  const [contentType, media] = Object.entries(recordAt(node, 'content'))[0] ?? [];
  if (contentType === undefined || !isRecord(media) || !isRecord(media.schema)) return undefined;
  return { contentType, schema: media.schema };
}

/**
 * The reply a document declares for an operation and status, falling back to `default`; `explicit` tells
 * whether the status itself is listed.
 */
export function declaredReply(
  doc: unknown,
  method: string,
  template: string,
  status: number,
): { contentType: string; schema: z.ZodType; explicit: boolean } | undefined {
  const responses = recordAt(operationAt(doc, method, template), 'responses');
  const explicit = String(status) in responses;
  const media = firstMedia(responses[String(status)] ?? responses.default);
  return media && { contentType: media.contentType, schema: zodOf(doc, media.schema), explicit };
}

/** The request body schema a document declares for an operation, if it takes one. */
export function declaredRequestBody(doc: unknown, method: string, template: string): z.ZodType | undefined {
  const media = firstMedia(recordAt(operationAt(doc, method, template), 'requestBody'));
  return media && zodOf(doc, media.schema);
}
