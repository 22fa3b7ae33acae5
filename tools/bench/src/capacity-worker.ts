/**
 * One socket worker process of the capacity phase (forked by scenarios/capacity.ts): opens its share of
 * idle sockets, then timestamps the status change they all wait for. See capacity-protocol.ts.
 */
import {
  epochNow,
  type FromWorker,
  fromWorkerSchema,
  type ToWorker,
  toWorkerSchema,
} from './capacity-protocol.js';
import { type LeanSocket, openLeanSocket, sourceAddress } from './lean-socket.js';
import { openFilesLimit } from './proc-stats.js';
import { now, pool, Tally } from './stats.js';

const sockets: LeanSocket[] = [];
let arrivals: number[] = [];
let expected = 0;
let reported = false;

function send(message: FromWorker): void {
  process.send?.(fromWorkerSchema.parse(message));
}

async function open(cmd: Extract<ToWorker, { type: 'open' }>): Promise<void> {
  const errors = new Tally();
  const connectMs: number[] = [];
  await pool(cmd.count, cmd.concurrency, async (i) => {
    const user = cmd.users[(cmd.first + i) % cmd.users.length];
    if (!user || Date.now() > cmd.deadline) return errors.add('skipped-timeout');
    const t = now();
    try {
      const localAddress = sourceAddress(cmd.url, cmd.first + i);
      sockets.push(await openLeanSocket(cmd.url, user.token, { localAddress }));
      connectMs.push(now() - t);
    } catch (error) {
      errors.add(error instanceof Error ? `connect-${error.message}` : 'connect-error');
    }
  });
  send({
    type: 'opened',
    connected: sockets.length,
    connectMs,
    errors: errors.toJSON(),
    openFilesLimit: openFilesLimit() ?? null,
  });
}

function listen(speakerId: string, status: string): void {
  arrivals = [];
  expected = sockets.length;
  reported = false;
  for (const socket of sockets) {
    socket.on('userStatus', (raw: unknown) => {
      if (typeof raw !== 'object' || raw === null) return;
      const event = raw as Record<string, unknown>;
      if (event.userId !== speakerId || event.status !== status) return;
      arrivals.push(epochNow());
      if (arrivals.length >= expected) report();
    });
  }
  send({ type: 'listening' });
  if (expected === 0) report();
}

function report(): void {
  if (reported) return;
  reported = true;
  send({ type: 'arrivals', arrivals });
}

process.on('message', (raw: unknown) => {
  const cmd = toWorkerSchema.parse(raw);
  if (cmd.type === 'open') void open(cmd);
  else if (cmd.type === 'listen') listen(cmd.speakerId, cmd.status);
  else if (cmd.type === 'report') report();
  else {
    for (const socket of sockets) socket.close();
    process.exit(0);
  }
});
// Orphaned (the bench died): leave rather than hold thousands of sockets open.
process.on('disconnect', () => process.exit(0));
