import { z } from 'zod';

const count = z.number().int().min(0);
const figure = z.number().finite().min(0);
const errors = z.record(z.string(), count);

const latency = z.strictObject({ count, p50: figure, p95: figure, p99: figure, max: figure, mean: figure });

const processFigures = z.strictObject({
  name: z.string(),
  pid: count,
  cpuSeconds: figure,
  cores: figure,
  peakRssMB: figure,
  rssMB: figure,
});

export const chatLoadSchema = z.strictObject({
  label: z.string(),
  users: count,
  durationSeconds: figure,
  mode: z.enum(['max', 'rate']),
  targetRate: figure,
  concurrency: count,
  attempted: count,
  accepted: count,
  delivered: count,
  acceptedPerSecond: figure,
  deliveredPerSecond: figure,
  endToEndMs: latency,
  sendRequestMs: latency,
  errors,
  lost: count,
  duplicated: count,
  misrouted: count,
  processes: z.array(processFigures),
  cpuPerMessage: z.array(z.strictObject({ group: z.string(), ms: figure, budgetMs: figure.nullable() })),
});

const capacitySchema = z.strictObject({
  target: z.string(),
  requested: count,
  connected: count,
  workers: count,
  connectSeconds: figure,
  connectPerSecond: figure,
  connectMs: latency,
  connectCpuMsPerSocket: z.strictObject({
    node: figure.nullable(),
    clients: figure.nullable(),
    redis: figure.nullable(),
  }),
  rssBeforeMB: figure.nullable(),
  rssHalfMB: figure.nullable(),
  rssAfterMB: figure.nullable(),
  // RSS may shrink (GC) on a tiny sample, so these can be negative.
  bytesPerSocket: z.number().int().nullable(),
  bytesPerSocketOverall: z.number().int().nullable(),
  openFilesLimit: z.strictObject({ bench: count.nullable(), node: count.nullable() }),
  errors,
  broadcast: z.strictObject({ received: count, ackMs: figure, fanOutMs: figure, arrivalMs: latency }),
});

const growthSchema = z.strictObject({
  messages: count,
  reached: count,
  fillPerSecond: figure,
  checkpoints: z.array(z.strictObject({ messages: count, sendMs: latency, historyMs: latency })).min(2),
  sendGrowth: figure,
  historyGrowth: figure,
  errors,
});

const scaleOutSchema = z.union([
  z.strictObject({
    twoNodes: chatLoadSchema,
    oneNode: chatLoadSchema,
    /** accepted/s with two nodes ÷ with one. */
    acceptedRatio: figure,
    deliveredRatio: figure,
  }),
  z.strictObject({ skipped: z.string() }),
]);

const busySchema = z.strictObject({
  messages: count,
  accepted: count,
  sendPerSecond: figure,
  deferred: count,
  liveWhileBusy: count,
  setAvailableAckMs: figure,
  allArrivedMs: figure,
  received: count,
  missing: count,
  duplicated: count,
  inOrder: z.boolean(),
  errors,
});

const goal = z.strictObject({ goal: z.string(), measured: z.string(), met: z.boolean() });

/** The JSON file a run writes to bench/results/. */
export const benchResultSchema = z.strictObject({
  version: z.literal(1),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  seconds: figure,
  machine: z.strictObject({
    cores: count,
    cpuModel: z.string(),
    totalMemoryMB: count,
    node: z.string(),
    platform: z.string(),
    openFilesLimit: count.nullable(),
    /** 1/5/15-minute load averages before and after the run: other work on the box skews every figure. */
    loadAverageBefore: z.array(figure).length(3),
    loadAverageAfter: z.array(figure).length(3),
  }),
  options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  target: z.strictObject({ url: z.string(), startedByBench: z.boolean() }),
  signup: z.strictObject({ users: count, seconds: figure, perSecond: figure, errors }),
  chatLoad: chatLoadSchema,
  capacity: capacitySchema,
  growth: growthSchema,
  scaleOut: scaleOutSchema,
  busy: busySchema,
  /** Error-level lines the services logged (5xx, failed handlers…): their count and the first few. */
  serviceErrors: z.strictObject({ count, sample: z.array(z.string()) }),
  goals: z.strictObject({ chatLoad: goal, cpu: goal, capacity: goal, growth: goal }),
});

export type BenchResult = z.infer<typeof benchResultSchema>;
export type ChatLoadFigures = z.infer<typeof chatLoadSchema>;
