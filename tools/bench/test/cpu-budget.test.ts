import { describe, expect, test } from 'vitest';
import { cpuPerDelivered } from '../src/cpu-budget.js';
import type { ProcessFigures } from '../src/proc-stats.js';

const proc = (name: string, cpuSeconds: number): ProcessFigures => ({
  name,
  pid: 1,
  cpuSeconds,
  cores: 0,
  peakRssMB: 0,
  rssMB: 0,
});

describe('CPU per delivered message', () => {
  test('sums replicas and nodes per kind, and totals the stack without the load generator', () => {
    const rows = cpuPerDelivered(
      [
        proc('gateway', 0.5),
        proc('realtime-1', 0.2),
        proc('realtime-2', 0.3),
        proc('mongodb (embedded)', 0.6),
        proc('bench (load generator)', 2),
      ],
      1000,
    );
    expect(rows).toEqual([
      { group: 'gateway', ms: 0.5, budgetMs: 0.25 },
      { group: 'realtime', ms: 0.5, budgetMs: 0.2 },
      { group: 'mongodb', ms: 0.6, budgetMs: 0.3 },
      { group: 'bench', ms: 2, budgetMs: null },
      { group: 'stack', ms: 1.6, budgetMs: 1.5 },
    ]);
  });

  test('nothing delivered gives no figures', () => {
    expect(cpuPerDelivered([proc('gateway', 1)], 0)).toEqual([]);
  });
});
