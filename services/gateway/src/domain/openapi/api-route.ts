import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'patch' | 'delete';
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 429;

export interface ApiReply {
  status: number;
  description: string;
  schema: z.ZodType;
  /** JSON unless stated. */
  contentType?: 'image/svg+xml';
}

/** One public route as the API description shows it. */
export interface ApiRoute {
  method: HttpMethod;
  /** OpenAPI form: `{param}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: 'auth' | 'users' | 'messages' | 'conversations' | 'health';
  /** Needs the `jwt` session cookie. */
  auth: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  success: ApiReply;
  /** Other non-error replies (e.g. 503 from /readyz). */
  otherReplies?: readonly ApiReply[];
  /**
   * Route-specific error statuses. The builder adds the ones every route of a kind gets: 400 for any input,
   * 401 and 429 with auth, 403 (foreign Origin) for unsafe methods, 413 with a body.
   */
  errors?: readonly ErrorStatus[];
  /** Sets or clears the `jwt` cookie. */
  setsCookie?: boolean;
}
