import type { z } from 'zod';
import { formatIssue, readableReason } from '../config/issues.js';
import { AppError } from './app-error.js';

/**
 * Parses `input` with `schema` or throws AppError(code, 400) whose message is the first issue, readable and
 * with its path (e.g. "username: expected a string"). `code` comes from the service's error catalogue
 * (`AUTH.INVALID_BODY`, `MESSAGES.INVALID_ID`…). Strictness is the schema's call.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, code: string): z.output<S> {
  const result = schema.safeParse(input, { error: readableReason });
  if (result.success) return result.data;
  const first = result.error.issues[0];
  throw new AppError(code, 400, first ? formatIssue(first) : 'Invalid input');
}
