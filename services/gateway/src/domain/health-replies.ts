import { z } from 'zod';

/** `GET /healthz`: the gateway process is alive. */
export const healthReply = z.strictObject({ status: z.literal('ok') });

const upDown = z.enum(['up', 'down']);
const readiness = z.enum(['ready', 'not ready']);

/** The public port's `GET /readyz`: 200 when Redis answers, else 503, and nothing about the inside. */
export const publicReadinessReply = z.strictObject({ status: readiness });

/** The internal port's `GET /readyz`: also each check, and the realtime nodes (reported, not required). */
export const readinessReply = z.strictObject({
  status: readiness,
  checks: z.strictObject({ redis: upDown, realtime: upDown }),
  realtimeNodes: z.array(z.strictObject({ url: z.string(), healthy: z.boolean() })),
});

export type HealthReply = z.infer<typeof healthReply>;
export type PublicReadinessReply = z.infer<typeof publicReadinessReply>;
export type ReadinessReply = z.infer<typeof readinessReply>;
