import { z } from 'zod';
import { objectId } from '../events/index.js';

export { objectId };

/** ISO-8601 UTC timestamp as `Date.prototype.toISOString()` writes it. */
export const isoDateTime = z.iso.datetime();

/**
 * Every error reply: `error` stays a plain string because frontends print it; `code` is the stable reason a
 * program branches on, `<SERVICE>.<REASON>` from the answering service's error catalogue.
 */
export const errorReply = z.strictObject({
  error: z.string(),
  code: z
    .string()
    .describe(
      'Stable reason, `<SERVICE>.<REASON>`: e.g. `AUTH.INVALID_BODY`, `AUTH.NO_TOKEN`, `MESSAGES.SELF_SEND`',
    )
    .optional(),
});

/** A `?limit=` query parameter: a whole number from 1 to `max`, sent as a string. */
export function pageLimit(max: number) {
  return z
    .string()
    .regex(/^[0-9]{1,4}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(max));
}
