import type { CapacityResult } from './capacity.js';
import type { ChatLoadResult } from './chat-load.js';
import type { GrowthResult } from './growth.js';

interface Goal {
  goal: string;
  measured: string;
  met: boolean;
}

/** The performance targets, judged against this run (reported, never asserted). */
export function judgeGoals(
  load: ChatLoadResult,
  capacity: CapacityResult,
  growth: GrowthResult,
): { chatLoad: Goal; capacity: Goal; growth: Goal } {
  const perSocketKB = capacity.bytesPerSocket === null ? null : capacity.bytesPerSocket / 1024;
  return {
    chatLoad: {
      goal: '≥ 1,500 messages/s end to end, p99 < 100 ms, 0 lost, 0 duplicated',
      measured: `${load.deliveredPerSecond} msg/s, p99 ${load.endToEndMs.p99} ms, lost ${load.lost}, duplicated ${load.duplicated}`,
      met:
        load.deliveredPerSecond >= 1_500 &&
        load.endToEndMs.p99 < 100 &&
        load.lost === 0 &&
        load.duplicated === 0,
    },
    capacity: {
      goal: '≥ 19,000 idle sockets on one node (open files 20,000 per process), ≤ 10 KB each, ≥ 2,000 connects/s',
      measured: `${capacity.connected} sockets, ${perSocketKB === null ? 'n/a' : perSocketKB.toFixed(1)} KB each, ${capacity.connectPerSecond} connects/s, status to all in ${capacity.broadcast.fanOutMs} ms`,
      met:
        capacity.connected >= 19_000 &&
        perSocketKB !== null &&
        perSocketKB <= 10 &&
        capacity.connectPerSecond >= 2_000,
    },
    growth: {
      goal: 'send and history latency at 10,000 messages within 1.5× of the latency at 100',
      measured: `send ×${growth.sendGrowth}, history ×${growth.historyGrowth} (p50, ${growth.checkpoints[0]?.messages ?? 0} → ${growth.reached})`,
      met: growth.reached >= 10_000 && growth.sendGrowth <= 1.5 && growth.historyGrowth <= 1.5,
    },
  };
}
