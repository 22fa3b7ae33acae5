import type { z } from 'zod';

type RawIssue = z.core.$ZodRawIssue;

function article(noun: string): string {
  return /^[aeiou]/i.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function sizeReason(issue: RawIssue, word: 'least' | 'most'): string | undefined {
  const limit = word === 'least' ? issue.minimum : issue.maximum;
  if (typeof limit !== 'number' && typeof limit !== 'bigint') return undefined;
  if (word === 'least' && Number(limit) === 1 && (issue.origin === 'string' || issue.origin === 'array')) {
    return 'must not be empty';
  }
  switch (issue.origin) {
    case 'string':
      return `must be at ${word} ${limit} characters`;
    case 'array':
    case 'set':
      return `must have at ${word} ${limit} items`;
    case 'number':
    case 'int':
    case 'bigint':
      return `must be ${word === 'least' ? '≥' : '≤'} ${limit}`;
    default:
      return undefined;
  }
}

/**
 * Zod error map producing short, readable reasons ("expected a number", "required", "must be at least 32
 * characters"). Pass it as `{ error: readableReason }` to `safeParse`: messages a schema sets itself still win.
 */
export function readableReason(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'required';
      return `expected ${article(String(issue.expected))}`;
    case 'too_small':
      return sizeReason(issue, 'least');
    case 'too_big':
      return sizeReason(issue, 'most');
    case 'invalid_format':
      return issue.format === 'regex' ? 'has an invalid format' : `must be a valid ${String(issue.format)}`;
    case 'invalid_value':
      return `expected one of: ${(issue.values as unknown[]).map((v) => String(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown key(s): ${(issue.keys as string[]).join(', ')}`;
    default:
      return undefined;
  }
}

/** Formats one zod issue as `path: reason` (just `reason` at the root). */
export function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map((p) => String(p)).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
