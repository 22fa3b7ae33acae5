import { cpus, loadavg, totalmem } from 'node:os';
import type { BenchUser } from './http-client.js';
import type { BenchOptions } from './options.js';
import { openFilesLimit } from './proc-stats.js';
import { type BenchResult, benchResultSchema } from './result-schema.js';
import { runBusy } from './scenarios/busy.js';
import { runCapacity } from './scenarios/capacity.js';
import { type ChatClient, type ChatLoadResult, runChatLoad } from './scenarios/chat-load.js';
import { judgeGoals } from './scenarios/goals.js';
import { runGrowth } from './scenarios/growth.js';
import { warmUp } from './scenarios/warm-up.js';
import { openSocket } from './socket-client.js';
import { pool, until } from './stats.js';
import { attachTarget, startTarget, type Target } from './target.js';
import { createUsers } from './users.js';

export interface BenchHooks {
  /** Progress lines ("chat load: 20 s…"). */
  progress?: (line: string) => void;
  /** The services' own log lines. */
  serviceLog?: (line: string) => void;
}

const LOSS_WINDOW_MS = 10_000;
const PHASE_TIMEOUT_MS = 120_000;
const GROWTH_TIMEOUT_MS = 150_000;

async function connectClients(url: string, users: BenchUser[]): Promise<ChatClient[]> {
  const clients: ChatClient[] = [];
  await pool(users.length, 50, async (i) => {
    const user = users[i];
    if (user) clients[i] = { user, conn: await openSocket(url, user.token) };
  });
  return clients;
}

function chatLoad(
  target: Target,
  clients: ChatClient[],
  options: BenchOptions,
  label: string,
  durationSeconds = options.durationSeconds,
) {
  return runChatLoad({
    baseUrl: target.url,
    clients,
    label,
    durationSeconds,
    rate: options.rate,
    concurrency: options.concurrency,
    lossWindowMs: LOSS_WINDOW_MS,
    processes: target.processes(),
  });
}

const ratio = (a: number, b: number): number => (b > 0 ? Math.round((a / b) * 100) / 100 : 0);

/** Runs every scenario against the target and returns the validated result. */
export async function runBench(options: BenchOptions, hooks: BenchHooks = {}): Promise<BenchResult> {
  const progress = hooks.progress ?? (() => {});
  const startedAt = new Date();
  const loadBefore = loadavg();
  progress(options.url ? `target: ${options.url}` : 'starting the stack (2 realtime nodes)…');
  const target = options.url
    ? attachTarget(options.url)
    : await startTarget(options, hooks.serviceLog ?? (() => {}));
  const open: ChatClient[] = [];
  try {
    progress(`signing up ${options.users + 4} users…`);
    const signup = await createUsers(target.url, options.users + 4, options.signupConcurrency);
    const [growthA, growthB, ...rest] = signup.users;
    if (!growthA || !growthB) throw new Error('signups missing');
    open.push(...(await connectClients(target.url, rest)));
    const [busySender, busyReceiver, ...chatClients] = open;
    if (!busySender || !busyReceiver) throw new Error('sockets missing');
    await warmUp(target.url, signup.users);

    if (options.warmUpSeconds > 0) {
      // The stack as it runs for real: compiled hot paths, open connection pools, filled caches. Its figures
      // are dropped, but not a loss or a duplicate: those fail the run like in any measured phase.
      progress(`warm-up: the chat load for ${options.warmUpSeconds} s, not measured…`);
      const warm = await chatLoad(target, chatClients, options, 'warm-up', options.warmUpSeconds);
      if (warm.lost > 0 || warm.duplicated > 0 || warm.misrouted > 0) {
        throw new Error(
          `warm-up: ${warm.lost} lost, ${warm.duplicated} duplicated, ${warm.misrouted} misrouted`,
        );
      }
    }
    progress(`chat load: ${options.users} users, ${options.durationSeconds} s…`);
    const twoNodes = await chatLoad(target, chatClients, options, 'load-2');
    let oneNode: ChatLoadResult | undefined;
    if (target.stopRealtimeNode) {
      progress('scale-out: stopping realtime-2, chat load on one node…');
      await target.stopRealtimeNode('realtime-2');
      if (!(await until(() => open.every((c) => c.conn.isReady()), 30_000, 50))) {
        throw new Error('sockets did not reconnect to the remaining node');
      }
      oneNode = await chatLoad(target, chatClients, options, 'load-1');
    }
    progress(`busy: ${options.busyMessages} messages…`);
    const busy = await runBusy({
      baseUrl: target.url,
      sender: busySender,
      receiver: busyReceiver,
      messages: options.busyMessages,
      concurrency: 8,
      timeoutMs: PHASE_TIMEOUT_MS,
    });
    const node = target.capacityNode();
    progress(`capacity: ${options.sockets} sockets on ${node.url}…`);
    const capacity = await runCapacity({
      url: node.url,
      users: signup.users.slice(2),
      sockets: options.sockets,
      concurrency: 256,
      nodePid: node.pid,
      timeoutMs: PHASE_TIMEOUT_MS,
    });
    // Last: the growth fill outruns the outbox relay, and its backlog would delay later deliveries.
    progress(`growth: one conversation to ${options.growthMessages} messages…`);
    const growth = await runGrowth({
      baseUrl: target.url,
      a: growthA,
      b: growthB,
      messages: options.growthMessages,
      concurrency: 32,
      samples: options.quick ? 10 : 30,
      timeoutMs: GROWTH_TIMEOUT_MS,
    });
    const finishedAt = new Date();
    const errorLines = target.errorLines();
    return benchResultSchema.parse({
      version: 1,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      seconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 100) / 10,
      machine: machine(loadBefore),
      options: { ...options, url: options.url ?? null, mongoUrl: options.mongoUrl ? 'set' : null },
      target: { url: target.url, startedByBench: !options.url },
      signup: {
        users: signup.users.length,
        seconds: Math.round(signup.seconds * 10) / 10,
        perSecond: Math.round((signup.users.length / signup.seconds) * 10) / 10,
        errors: signup.errors,
      },
      chatLoad: twoNodes,
      capacity,
      growth,
      scaleOut: oneNode
        ? {
            twoNodes,
            oneNode,
            acceptedRatio: ratio(twoNodes.acceptedPerSecond, oneNode.acceptedPerSecond),
            deliveredRatio: ratio(twoNodes.deliveredPerSecond, oneNode.deliveredPerSecond),
          }
        : { skipped: 'needs a stack started by the bench (not --url)' },
      busy,
      serviceErrors: { count: errorLines.length, sample: errorLines.slice(0, 20) },
      goals: judgeGoals(twoNodes, capacity, growth),
    });
  } finally {
    for (const client of open) client.conn.socket.close();
    progress('stopping…');
    await target.stop();
  }
}

const twoDigits = (values: number[]): number[] => values.map((v) => Math.round(v * 100) / 100);

function machine(loadBefore: number[]): BenchResult['machine'] {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryMB: Math.round(totalmem() / 1024 / 1024),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    openFilesLimit: openFilesLimit() ?? null,
    loadAverageBefore: twoDigits(loadBefore),
    loadAverageAfter: twoDigits(loadavg()),
  };
}
