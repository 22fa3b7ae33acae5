import { z } from 'zod';

/**
 * Messages between the capacity phase and its socket worker processes (child processes over IPC). The
 * sockets live outside the bench's own process, which holds the chat users' connections too, and in as
 * many processes as each one's open-files limit requires (one for 19,000 under a limit of 20,000).
 * Times cross process boundaries as epoch milliseconds (`performance.timeOrigin + performance.now()`).
 */
export const toWorkerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('open'),
    url: z.string(),
    users: z.array(z.object({ id: z.string(), token: z.string() })).min(1),
    /** Global index of this worker's first socket (spreads sockets over the users). */
    first: z.number().int().min(0),
    count: z.number().int().min(0),
    concurrency: z.number().int().min(1),
    deadline: z.number(),
  }),
  z.object({ type: z.literal('listen'), speakerId: z.string(), status: z.string() }),
  z.object({ type: z.literal('report') }),
  z.object({ type: z.literal('close') }),
]);

export const fromWorkerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('opened'),
    connected: z.number().int().min(0),
    connectMs: z.array(z.number()),
    errors: z.record(z.string(), z.number().int().min(0)),
    openFilesLimit: z.number().int().nullable(),
  }),
  z.object({ type: z.literal('listening') }),
  /** Epoch ms at which each socket got the status change; sent when all did, or when asked. */
  z.object({ type: z.literal('arrivals'), arrivals: z.array(z.number()) }),
]);

export type ToWorker = z.infer<typeof toWorkerSchema>;
export type FromWorker = z.infer<typeof fromWorkerSchema>;

/** Wall-clock time in epoch milliseconds with sub-millisecond resolution, comparable across processes. */
export const epochNow = (): number => performance.timeOrigin + performance.now();
