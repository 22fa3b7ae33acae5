import { declaredReply, declaredRequestBody, operationsOf, templateOf } from '@chat/shared/testing';
import { expect } from 'vitest';

export interface ContractReply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  cookie?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * Calls the gateway like a browser page on its origin and checks every reply against the OpenAPI document:
 * the operation exists, the status is listed (below 500; `default` otherwise), and the content type and body
 * match its schema.
 * Remembers which operations answered 2xx, so a test can tell that every route was exercised.
 */
export function contractClient(gatewayUrl: string, doc: unknown) {
  const origin = new URL(gatewayUrl).origin;
  const succeeded = new Set<string>();

  async function call<T = unknown>(
    method: string,
    path: string,
    opts: CallOptions = {},
  ): Promise<ContractReply<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.cookie) headers.cookie = opts.cookie;
    if (method !== 'GET') headers.origin = origin;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${gatewayUrl}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    const where = `${method} ${path} → ${res.status} ${text.slice(0, 300)}`;
    const template = templateOf(doc, method, new URL(path, gatewayUrl).pathname);
    if (template === undefined) throw new Error(`${where}: no such operation in the document`);
    const declared = declaredReply(doc, method, template, res.status);
    if (declared === undefined) throw new Error(`${where}: the document declares no body for this reply`);
    // `default` covers only what no route can foresee (a service down): every 4xx must be listed.
    if (res.status < 500) expect(declared.explicit, `${where}: status not listed in the document`).toBe(true);
    expect(res.headers.get('content-type') ?? '', where).toContain(declared.contentType);
    const body: unknown = declared.contentType === 'application/json' ? JSON.parse(text) : text;
    const checked = declared.schema.safeParse(body);
    expect(checked.success, `${where}\n${checked.error?.message ?? ''}`).toBe(true);
    if (res.status >= 200 && res.status < 300) {
      // What the service accepted, the document must accept too.
      const request = declaredRequestBody(doc, method, template);
      if (request)
        expect(request.safeParse(opts.body).success, `${where}: request body not as described`).toBe(true);
      succeeded.add(`${method} ${template}`);
    }
    return { status: res.status, body: body as T, headers: res.headers };
  }

  /** The document's operations that have not answered 2xx yet. */
  const unexercised = () => operationsOf(doc).filter((op) => !succeeded.has(op));

  return { call, unexercised };
}
