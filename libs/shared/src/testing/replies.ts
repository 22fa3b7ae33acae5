import { z } from 'zod';

/**
 * An error reply as the services' tests require it: the shared `{ error, code }` shape with both a
 * non-empty message and a non-empty code (the shared API schema leaves `code` optional).
 */
export const codedErrorReply = z.strictObject({ error: z.string().min(1), code: z.string().min(1) });

export type CodedErrorReply = z.infer<typeof codedErrorReply>;
