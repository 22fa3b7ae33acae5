import { describe, expect, test } from 'vitest';
import {
  declaredReply,
  declaredRequestBody,
  openApiProblems,
  operationsOf,
  templateOf,
} from '../src/testing/openapi-contract.js';

const item = { type: 'object', properties: { id: { type: 'string', pattern: '^[a-f0-9]{4}$' } } };
function sampleDoc() {
  return {
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: {
      '/things/{id}': {
        get: {
          operationId: 'getThing',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          security: [{ cookieAuth: [] }],
          responses: {
            200: {
              description: 'ok',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      item: { $ref: '#/components/schemas/Item' },
                      at: { type: 'string', format: 'date-time' },
                      n: { type: ['integer', 'null'], minimum: 0 },
                    },
                    required: ['item', 'at', 'n'],
                    additionalProperties: false,
                  },
                },
              },
            },
            default: {
              description: 'error',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
          },
        },
      },
      '/things/new': {
        post: {
          operationId: 'newThing',
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } } },
          responses: { 201: { description: 'made' } },
        },
      },
    },
    components: {
      schemas: { Item: { ...item, required: ['id'], additionalProperties: false } },
      securitySchemes: { cookieAuth: { type: 'apiKey', in: 'cookie', name: 'jwt' } },
    },
  };
}

describe('openApiProblems', () => {
  test('a sound document has none', () => {
    expect(openApiProblems(sampleDoc())).toEqual([]);
  });

  test('finds a wrong version, unresolved refs, a missing 2xx, path parameter drift and unknown schemes', () => {
    const doc = sampleDoc();
    doc.openapi = '3.0.3';
    doc.components.schemas = {} as typeof doc.components.schemas;
    doc.paths['/things/new'].post.responses = {} as (typeof doc.paths)['/things/new']['post']['responses'];
    doc.paths['/things/{id}'].get.parameters = [];
    doc.paths['/things/{id}'].get.security = [{ other: [] } as unknown as { cookieAuth: never[] }];
    const problems = openApiProblems(doc).join('\n');
    expect(problems).toContain('not 3.1.0');
    expect(problems).toContain('unresolved $ref #/components/schemas/Item');
    expect(problems).toContain('POST /things/new: no 2xx reply');
    expect(problems).toContain('GET /things/{id}: path parameters');
    expect(problems).toContain('unknown security scheme other');
  });
});

describe('templateOf and operationsOf', () => {
  test('a literal segment wins over a parameter', () => {
    const doc = sampleDoc();
    expect(operationsOf(doc)).toEqual(['GET /things/{id}', 'POST /things/new']);
    expect(templateOf(doc, 'GET', '/things/abcd')).toBe('/things/{id}');
    expect(templateOf(doc, 'POST', '/things/new')).toBe('/things/new');
    expect(templateOf(doc, 'GET', '/things/abcd/more')).toBeUndefined();
  });
});

describe('declaredReply', () => {
  const valid = { item: { id: 'ab12' }, at: '2026-01-02T03:04:05.000Z', n: null };

  test('checks a body against the declared schema, with components resolved', () => {
    const reply = declaredReply(sampleDoc(), 'GET', '/things/{id}', 200);
    expect(reply?.contentType).toBe('application/json');
    expect(reply?.explicit).toBe(true);
    const schema = reply?.schema;
    expect(schema?.safeParse(valid).success).toBe(true);
    expect(schema?.safeParse({ ...valid, n: 3 }).success).toBe(true);
    expect(schema?.safeParse({ ...valid, extra: 1 }).success).toBe(false);
    expect(schema?.safeParse({ ...valid, item: { id: 'XYZ' } }).success).toBe(false);
    expect(schema?.safeParse({ ...valid, at: 'yesterday' }).success).toBe(false);
    expect(schema?.safeParse({ ...valid, n: -1 }).success).toBe(false);
    expect(schema?.safeParse({ item: valid.item, at: valid.at }).success).toBe(false);
  });

  test('an undeclared status falls back to default; an operation without content has none', () => {
    const fallback = declaredReply(sampleDoc(), 'GET', '/things/{id}', 418);
    expect(fallback?.explicit).toBe(false);
    expect(fallback?.schema.safeParse({}).success).toBe(true);
    expect(declaredReply(sampleDoc(), 'POST', '/things/new', 201)).toBeUndefined();
  });
});

describe('declaredRequestBody', () => {
  test('checks a request body against the declared schema; an operation without one has none', () => {
    const schema = declaredRequestBody(sampleDoc(), 'POST', '/things/new');
    expect(schema?.safeParse({ id: 'ab12' }).success).toBe(true);
    expect(schema?.safeParse({ id: 'ab12', admin: true }).success).toBe(false);
    expect(declaredRequestBody(sampleDoc(), 'GET', '/things/{id}')).toBeUndefined();
  });
});
