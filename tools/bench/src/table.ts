import type { BenchResult, ChatLoadFigures } from './result-schema.js';

type Row = [string, string];

const ms = (value: number): string => `${value.toFixed(1)} ms`;
const json = (value: Record<string, number>): string =>
  Object.keys(value).length === 0 ? 'none' : JSON.stringify(value);

function loadRows(title: string, load: ChatLoadFigures): Row[] {
  const e2e = load.endToEndMs;
  const send = load.sendRequestMs;
  return [
    [
      title,
      `${load.users} users, ${load.durationSeconds} s, ${load.mode === 'max' ? `max (${load.concurrency} in flight)` : `${load.targetRate}/s`}`,
    ],
    ['  sends accepted', `${load.accepted} of ${load.attempted} (${load.acceptedPerSecond}/s)`],
    ['  deliveries', `${load.delivered} (${load.deliveredPerSecond}/s)`],
    ['  end-to-end p50/p95/p99/max', `${ms(e2e.p50)} / ${ms(e2e.p95)} / ${ms(e2e.p99)} / ${ms(e2e.max)}`],
    [
      '  send request p50/p95/p99/max',
      `${ms(send.p50)} / ${ms(send.p95)} / ${ms(send.p99)} / ${ms(send.max)}`,
    ],
    ['  lost / duplicated / misrouted', `${load.lost} / ${load.duplicated} / ${load.misrouted}`],
    ['  errors', json(load.errors)],
    ...load.processes.map(
      (p): Row => [
        `  ${p.name}`,
        `${p.cpuSeconds.toFixed(1)} CPU s (${p.cores.toFixed(2)} cores), peak ${p.peakRssMB} MB`,
      ],
    ),
    ['  CPU per delivered message', load.cpuPerMessage.length === 0 ? 'n/a' : ''],
    ...load.cpuPerMessage.map(
      (c): Row => [
        `    ${c.group}`,
        `${c.ms.toFixed(2)} ms${c.budgetMs === null ? '' : ` (budget ${c.budgetMs} ms${c.ms <= c.budgetMs ? '' : ', over'})`}`,
      ],
    ),
  ];
}

/** The human-readable summary printed at the end of a run. */
export function formatTable(r: BenchResult): string {
  const c = r.capacity;
  const rows: Row[] = [
    ['machine', `${r.machine.cores} cores, ${r.machine.cpuModel}, Node ${r.machine.node}`],
    [
      'load average before/after',
      `${r.machine.loadAverageBefore.join(' ')} / ${r.machine.loadAverageAfter.join(' ')}`,
    ],
    ['signups', `${r.signup.users} in ${r.signup.seconds} s (${r.signup.perSecond}/s)`],
    ...loadRows('chat load (2 nodes)', r.chatLoad),
    [
      'capacity',
      `${c.connected}/${c.requested} sockets in ${c.connectSeconds} s (${c.connectPerSecond}/s, ${c.workers} client processes) on ${c.target}`,
    ],
    [
      '  memory per socket',
      c.bytesPerSocket === null
        ? 'n/a'
        : `${(c.bytesPerSocket / 1024).toFixed(1)} KB added by the second half (RSS ${c.rssBeforeMB} → ${c.rssHalfMB} → ${c.rssAfterMB} MB; ${((c.bytesPerSocketOverall ?? 0) / 1024).toFixed(1)} KB overall)`,
    ],
    [
      '  CPU per connect',
      `node ${c.connectCpuMsPerSocket.node ?? 'n/a'} ms, clients ${c.connectCpuMsPerSocket.clients ?? 'n/a'} ms, redis ${c.connectCpuMsPerSocket.redis ?? 'n/a'} ms`,
    ],
    [
      '  status broadcast fan-out',
      `${c.broadcast.received} sockets in ${ms(c.broadcast.fanOutMs)} (p50 ${ms(c.broadcast.arrivalMs.p50)})`,
    ],
    [
      '  open files limit',
      `bench ${c.openFilesLimit.bench ?? 'n/a'}, node ${c.openFilesLimit.node ?? 'n/a'}`,
    ],
    ['  errors', json(c.errors)],
    ['growth', `${r.growth.reached} messages (fill ${r.growth.fillPerSecond}/s)`],
    ...r.growth.checkpoints.map(
      (cp): Row => [
        `  at ${cp.messages}`,
        `send p50 ${ms(cp.sendMs.p50)} p95 ${ms(cp.sendMs.p95)}; history p50 ${ms(cp.historyMs.p50)} p95 ${ms(cp.historyMs.p95)}`,
      ],
    ),
    ['  growth (last/first p50)', `send ×${r.growth.sendGrowth}, history ×${r.growth.historyGrowth}`],
  ];
  if ('skipped' in r.scaleOut) rows.push(['scale-out', `skipped: ${r.scaleOut.skipped}`]);
  else {
    rows.push(...loadRows('chat load (1 node)', r.scaleOut.oneNode));
    rows.push([
      'scale-out 2 nodes / 1 node',
      `accepted ×${r.scaleOut.acceptedRatio}, delivered ×${r.scaleOut.deliveredRatio}`,
    ]);
  }
  const b = r.busy;
  rows.push(
    [
      'busy',
      `${b.accepted}/${b.messages} sent (${b.sendPerSecond}/s), ${b.deferred} deferred, ${b.liveWhileBusy} live while Busy`,
    ],
    [
      '  switch to Available',
      `all ${b.received} arrived in ${ms(b.allArrivedMs)} (ack ${ms(b.setAvailableAckMs)}), in order: ${b.inOrder}, missing ${b.missing}, duplicated ${b.duplicated}`,
    ],
    ['service error lines', String(r.serviceErrors.count)],
  );
  for (const [name, goal] of Object.entries(r.goals)) {
    rows.push([`goal ${name}`, `${goal.met ? 'MET' : 'NOT MET'}: ${goal.measured} (goal ${goal.goal})`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
