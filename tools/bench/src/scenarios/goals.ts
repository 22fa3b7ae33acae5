import type { CapacityResult } from './capacity.js';
import type { ChatLoadResult } from './chat-load.js';
import type { GrowthResult } from './growth.js';

interface Goal {
  goal: string;
  measured: string;
  met: boolean;
}

/** The stack's CPU budget per delivered message (every process but the load generator). */
const STACK_BUDGET_MS = 1.5;

function chatLoadGoal(load: ChatLoadResult): Goal {
  const clean = load.lost === 0 && load.duplicated === 0 && load.misrouted === 0;
  const counts = `lost ${load.lost}, duplicated ${load.duplicated}, misrouted ${load.misrouted}`;
  if (load.mode === 'rate') {
    // Open loop: the latency target holds at 70% of the closed-loop maximum (run it with --rate).
    return {
      goal: `at the offered rate (${load.targetRate}/s; 70% of the maximum), p99 < 150 ms, 0 lost, 0 duplicated`,
      measured: `${load.deliveredPerSecond} msg/s, p99 ${load.endToEndMs.p99} ms, ${counts}`,
      met: load.endToEndMs.p99 < 150 && load.deliveredPerSecond >= load.targetRate * 0.97 && clean,
    };
  }
  return {
    goal: '≥ 800 messages/s delivered end to end (closed loop; 1,500 beyond), 0 lost, 0 duplicated',
    measured: `${load.deliveredPerSecond} msg/s, p99 ${load.endToEndMs.p99} ms, ${counts}`,
    met: load.deliveredPerSecond >= 800 && clean,
  };
}

function cpuGoal(load: ChatLoadResult): Goal {
  const stack = load.cpuPerMessage.find((c) => c.group === 'stack');
  const over = load.cpuPerMessage.filter(
    (c) => c.budgetMs !== null && c.group !== 'stack' && c.ms > c.budgetMs,
  );
  return {
    goal: `stack CPU ≤ ${STACK_BUDGET_MS} ms per delivered message, every process within its budget`,
    measured:
      stack === undefined
        ? 'n/a (no process figures)'
        : `stack ${stack.ms} ms${over.length ? `; over: ${over.map((c) => `${c.group} ${c.ms} ms (≤ ${c.budgetMs})`).join(', ')}` : ''}`,
    met: stack !== undefined && stack.ms <= STACK_BUDGET_MS && over.length === 0,
  };
}

/** The performance targets, judged against this run (reported, never asserted). */
export function judgeGoals(
  load: ChatLoadResult,
  capacity: CapacityResult,
  growth: GrowthResult,
): { chatLoad: Goal; cpu: Goal; capacity: Goal; growth: Goal } {
  const perSocketKB = capacity.bytesPerSocket === null ? null : capacity.bytesPerSocket / 1024;
  return {
    chatLoad: chatLoadGoal(load),
    cpu: cpuGoal(load),
    capacity: {
      goal: '≥ 19,000 idle sockets on one node (open files 20,000 per process), ≤ 10 KB each, ≥ 2,000 connects/s, a status change to all in < 500 ms',
      measured: `${capacity.connected} sockets, ${perSocketKB === null ? 'n/a' : perSocketKB.toFixed(1)} KB each, ${capacity.connectPerSecond} connects/s, status to all in ${capacity.broadcast.fanOutMs} ms`,
      met:
        capacity.connected >= 19_000 &&
        perSocketKB !== null &&
        perSocketKB <= 10 &&
        capacity.connectPerSecond >= 2_000 &&
        capacity.broadcast.fanOutMs < 500,
    },
    growth: {
      goal: 'send and history latency at 10,000 messages within 1.5× of the latency at 100',
      measured: `send ×${growth.sendGrowth}, history ×${growth.historyGrowth} (p50, ${growth.checkpoints[0]?.messages ?? 0} → ${growth.reached})`,
      met: growth.reached >= 10_000 && growth.sendGrowth <= 1.5 && growth.historyGrowth <= 1.5,
    },
  };
}
