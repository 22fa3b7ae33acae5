import { z } from 'zod';

/** `GET /healthz`: the gateway process is alive. */
export const healthReply = z.strictObject({ status: z.literal('ok') });

const upDown = z.enum(['up', 'down']);

/** `GET /readyz`: 200 when Redis answers, else 503; realtime nodes are reported, not required. */
export const readinessReply = z.strictObject({
  status: z.enum(['ready', 'not ready']),
  checks: z.strictObject({ redis: upDown, realtime: upDown }),
  realtimeNodes: z.array(z.strictObject({ url: z.string(), healthy: z.boolean() })),
});

export type HealthReply = z.infer<typeof healthReply>;
export type ReadinessReply = z.infer<typeof readinessReply>;
