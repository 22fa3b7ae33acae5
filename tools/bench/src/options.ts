import { parseArgs } from 'node:util';
import { parseShape } from '@chat/stack';
import { z } from 'zod';

export interface BenchOptions {
  /** A running gateway to drive; unset: the bench starts its own stack. */
  url?: string;
  /** MongoDB for a stack the bench starts; unset: an embedded server in its own process. */
  mongoUrl?: string;
  users: number;
  durationSeconds: number;
  /** Target sends/s of the chat load; 0 = as fast as the system accepts. */
  rate: number;
  /** Seconds of the same chat load run, unmeasured, before the first measured one (JIT, pools, caches). */
  warmUpSeconds: number;
  concurrency: number;
  sockets: number;
  growthMessages: number;
  busyMessages: number;
  signupConcurrency: number;
  outDir: string;
  cpuProf: boolean;
  quick: boolean;
  verbose: boolean;
  /** Names the databases, AMQP names and rate-limit buckets of the stack the bench starts. */
  namespace: string;
  /**
   * Processes per tier and realtime delivery queues of the stack the bench starts, as given
   * (`gateway=2,…,realtime=3,queues=4`; default: one of each, two realtime nodes). Checked by parseShape.
   */
  replicas?: string;
}

export const DEFAULTS = {
  users: 200,
  durationSeconds: 20,
  rate: 0,
  warmUpSeconds: 10,
  concurrency: 64,
  sockets: 5_000,
  growthMessages: 10_000,
  busyMessages: 1_000,
  signupConcurrency: 4,
} as const;

export const QUICK = {
  users: 10,
  durationSeconds: 3,
  warmUpSeconds: 1,
  concurrency: 8,
  sockets: 50,
  growthMessages: 200,
  busyMessages: 50,
} as const;

export const HELP = `Usage: npm run bench [-- options]

Drives the chat through the gateway (HTTP + Socket.IO) and writes bench/results/bench-<date>.json.
Without --url it starts the whole stack itself (two realtime nodes; an embedded MongoDB unless MONGO_URL).

  --url URL              drive a running gateway instead (scale-out and per-process figures are skipped)
  --users N              chat users, all connected and Available (default ${DEFAULTS.users})
  --duration S           seconds of chat load, per run (default ${DEFAULTS.durationSeconds})
  --rate R               target sends/s; 0 = as fast as accepted (default ${DEFAULTS.rate})
  --warm-up S            seconds of the same chat load, not measured, before the first measured run
                         (default ${DEFAULTS.warmUpSeconds}; 0 = none)
  --concurrency N        sends in flight at most (default ${DEFAULTS.concurrency})
  --sockets N            idle sockets for the capacity test, each client process holding as many as its
                         open-files limit allows (default ${DEFAULTS.sockets}; at most ~19,000 on one node
                         with 20,000 open files)
  --growth N             messages the growth conversation reaches, ≥ 200 (default ${DEFAULTS.growthMessages})
  --replicas LIST        processes per tier of the stack it starts, and realtime delivery queues, e.g.
                         gateway=2,auth=2,users=2,messages=2,realtime=3,queues=4 (default one of each, two nodes)
  --busy N               messages sent to a Busy user (default ${DEFAULTS.busyMessages})
  --signup-concurrency N signups in flight (bcrypt-bound; default ${DEFAULTS.signupConcurrency})
  --out DIR              results folder (default bench/results)
  --cpu-prof             run the services with node --cpu-prof (profiles in <out>/profiles)
  --quick                smoke mode: ${QUICK.users} users, ${QUICK.durationSeconds} s, ${QUICK.sockets} sockets, ${QUICK.growthMessages} messages, ${QUICK.busyMessages} busy
  --verbose              print the services' log lines
  --help                 this text`;

/** Thrown for a bad command line: cli.ts prints its message as one line, without a stack. */
export class OptionsError extends Error {}

/** A whole number option given as text, within [min, max]. */
function whole(name: string, min: number, max: number, note = '') {
  return z
    .string()
    .regex(/^\d+$/, { error: `--${name} takes a whole number ≥ ${min}${note}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `--${name} takes a whole number ≥ ${min}${note}` })
        .max(max, { error: `--${name} takes a whole number ≤ ${max.toLocaleString('en-US')}` }),
    );
}

const httpUrl = z
  .url({ protocol: /^https?$/, error: '--url takes an http(s) URL such as http://127.0.0.1:5000' })
  .transform((url) => url.replace(/\/$/, ''));

// Upper bounds keep every phase within its time budget and catch typos (an extra zero).
const rawSchema = z.object({
  url: httpUrl.optional(),
  users: whole('users', 2, 10_000).optional(),
  duration: whole('duration', 1, 3_600).optional(),
  rate: whole('rate', 0, 100_000).optional(),
  'warm-up': whole('warm-up', 0, 600).optional(),
  concurrency: whole('concurrency', 1, 10_000).optional(),
  sockets: whole('sockets', 1, 200_000).optional(),
  replicas: z.string().min(1, { error: '--replicas takes tier=N pairs' }).optional(),
  // The growth phase samples at 100, 1,000, … and at N: N must add a second checkpoint.
  growth: whole('growth', 200, 1_000_000, ' (checkpoints at 100, 1,000, … and N)').optional(),
  busy: whole('busy', 1, 100_000).optional(),
  'signup-concurrency': whole('signup-concurrency', 1, 64).optional(),
  out: z.string().min(1, { error: '--out takes a folder' }).optional(),
  'cpu-prof': z.boolean().optional(),
  quick: z.boolean().optional(),
  verbose: z.boolean().optional(),
  help: z.boolean().optional(),
});

/**
 * Parses and validates the command line up front (so a bad option never ends a finished run);
 * 'help' when --help was asked. Throws OptionsError with a one-line message.
 */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions | 'help' {
  let raw: unknown;
  try {
    raw = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        users: { type: 'string' },
        duration: { type: 'string' },
        rate: { type: 'string' },
        'warm-up': { type: 'string' },
        concurrency: { type: 'string' },
        sockets: { type: 'string' },
        replicas: { type: 'string' },
        growth: { type: 'string' },
        busy: { type: 'string' },
        'signup-concurrency': { type: 'string' },
        out: { type: 'string' },
        'cpu-prof': { type: 'boolean' },
        quick: { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new OptionsError(error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error));
  }
  const parsed = rawSchema.safeParse(raw);
  if (!parsed.success) throw new OptionsError(parsed.error.issues.map((i) => i.message).join('; '));
  const values = parsed.data;
  if (values.help) return 'help';
  // Refused here, with the option's own message, rather than once the stack starts.
  if (values.replicas !== undefined) {
    try {
      parseShape(values.replicas);
    } catch (error) {
      throw new OptionsError(`--replicas: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const base = values.quick ? { ...DEFAULTS, ...QUICK } : DEFAULTS;
  return {
    url: values.url,
    mongoUrl: env.MONGO_URL || undefined,
    users: values.users ?? base.users,
    durationSeconds: values.duration ?? base.durationSeconds,
    rate: values.rate ?? base.rate,
    warmUpSeconds: values['warm-up'] ?? base.warmUpSeconds,
    concurrency: values.concurrency ?? base.concurrency,
    sockets: values.sockets ?? base.sockets,
    growthMessages: values.growth ?? base.growthMessages,
    busyMessages: values.busy ?? base.busyMessages,
    signupConcurrency: values['signup-concurrency'] ?? base.signupConcurrency,
    outDir: values.out ?? 'bench/results',
    cpuProf: values['cpu-prof'] ?? false,
    quick: values.quick ?? false,
    verbose: values.verbose ?? false,
    namespace: `bench-${Date.now().toString(36)}`,
    ...(values.replicas ? { replicas: values.replicas } : {}),
  };
}
