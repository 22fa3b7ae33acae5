import { z } from 'zod';

/** `GET /healthz`: the gateway process is alive. */
export const healthReply = z.strictObject({ status: z.literal('ok') });

/** The public port's `GET /readyz`: 200 when Redis answers, else 503, and nothing about the inside. */
export const publicReadinessReply = z.strictObject({ status: z.enum(['ready', 'not ready']) });
