import { parseArgs } from 'node:util';
import { parseShape } from '@chat/stack';

export interface BenchOptions {
  /** A running gateway to drive; unset: the bench starts its own stack. */
  url?: string;
  /** MongoDB for a stack the bench starts; unset: an embedded server in its own process. */
  mongoUrl?: string;
  users: number;
  durationSeconds: number;
  /** Target sends/s of the chat load; 0 = as fast as the system accepts. */
  rate: number;
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
  concurrency: 64,
  sockets: 5_000,
  growthMessages: 10_000,
  busyMessages: 1_000,
  signupConcurrency: 4,
} as const;

export const QUICK = {
  users: 10,
  durationSeconds: 3,
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
  --concurrency N        sends in flight at most (default ${DEFAULTS.concurrency})
  --sockets N            idle sockets for the capacity test (default ${DEFAULTS.sockets})
  --replicas LIST        processes per tier of the stack it starts, and realtime delivery queues, e.g.
                         gateway=2,auth=2,users=2,messages=2,realtime=3,queues=4 (default one of each, two nodes)
  --growth N             messages the growth conversation reaches (default ${DEFAULTS.growthMessages})
  --busy N               messages sent to a Busy user (default ${DEFAULTS.busyMessages})
  --signup-concurrency N signups in flight (bcrypt-bound; default ${DEFAULTS.signupConcurrency})
  --out DIR              results folder (default bench/results)
  --cpu-prof             run the services with node --cpu-prof (profiles in <out>/profiles)
  --quick                smoke mode: ${QUICK.users} users, ${QUICK.durationSeconds} s, ${QUICK.sockets} sockets, ${QUICK.growthMessages} messages, ${QUICK.busyMessages} busy
  --verbose              print the services' log lines
  --help                 this text`;

function count(raw: string | undefined, name: string, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} takes a whole number ≥ ${min}`);
  return value;
}

/** Parses the command line; 'help' when --help was asked. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      url: { type: 'string' },
      users: { type: 'string' },
      duration: { type: 'string' },
      rate: { type: 'string' },
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
  });
  if (values.help) return 'help';
  // Refused here, with the option's own message, rather than once the stack starts.
  if (values.replicas !== undefined) parseShape(values.replicas);
  const base = values.quick ? { ...DEFAULTS, ...QUICK } : DEFAULTS;
  return {
    url: values.url?.replace(/\/$/, ''),
    mongoUrl: env.MONGO_URL || undefined,
    users: count(values.users, 'users', base.users, 2),
    durationSeconds: count(values.duration, 'duration', base.durationSeconds),
    rate: count(values.rate, 'rate', base.rate, 0),
    concurrency: count(values.concurrency, 'concurrency', base.concurrency),
    sockets: count(values.sockets, 'sockets', base.sockets),
    growthMessages: count(values.growth, 'growth', base.growthMessages, 100),
    busyMessages: count(values.busy, 'busy', base.busyMessages),
    signupConcurrency: count(values['signup-concurrency'], 'signup-concurrency', base.signupConcurrency),
    outDir: values.out ?? 'bench/results',
    cpuProf: values['cpu-prof'] ?? false,
    quick: values.quick ?? false,
    verbose: values.verbose ?? false,
    namespace: `bench-${Date.now().toString(36)}`,
    ...(values.replicas ? { replicas: values.replicas } : {}),
  };
}
