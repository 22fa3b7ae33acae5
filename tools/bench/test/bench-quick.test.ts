import { testEnv, uniqueName } from '@chat/shared/testing';
import { describe, expect, test } from 'vitest';
import { DEFAULTS, QUICK } from '../src/options.js';
import { benchResultSchema } from '../src/result-schema.js';
import { runBench } from '../src/run-bench.js';

// The harness in smoke mode against a stack of its own: it must produce every figure, and the chat must
// lose and duplicate nothing. Timing is never asserted here (see docs/benchmarks.md for the figures).
describe('npm run bench -- --quick', () => {
  test('produces every figure of the report, with nothing lost or duplicated', async () => {
    const { mongoUrl } = testEnv();
    const result = await runBench({
      ...DEFAULTS,
      ...QUICK,
      mongoUrl,
      signupConcurrency: 4,
      outDir: 'bench/results',
      cpuProf: false,
      quick: true,
      verbose: false,
      namespace: uniqueName('test-bench'),
    });

    const parsed = benchResultSchema.parse(JSON.parse(JSON.stringify(result)));
    expect(parsed.target.startedByBench).toBe(true);
    for (const load of [
      parsed.chatLoad,
      'skipped' in parsed.scaleOut ? undefined : parsed.scaleOut.oneNode,
    ]) {
      expect(load?.accepted).toBeGreaterThan(0);
      expect(load?.delivered).toBe(load?.accepted);
      expect(load?.lost).toBe(0);
      expect(load?.duplicated).toBe(0);
      expect(load?.misrouted).toBe(0);
      expect(load?.processes.map((p) => p.name)).toEqual(
        expect.arrayContaining(['gateway', 'auth', 'users', 'messages', 'realtime-1']),
      );
      expect(load?.cpuPerMessage.find((c) => c.group === 'messages')?.budgetMs).toBe(0.4);
      expect(load?.cpuPerMessage.find((c) => c.group === 'stack')?.budgetMs).toBe(1.5);
    }
    expect(parsed.chatLoad.processes.map((p) => p.name)).toContain('realtime-2');
    expect(parsed.capacity.connected).toBe(QUICK.sockets);
    expect(parsed.capacity.broadcast.received).toBe(QUICK.sockets);
    expect(parsed.capacity.errors).toEqual({});
    expect(parsed.growth.reached).toBeGreaterThanOrEqual(QUICK.growthMessages);
    // Every checkpoint was sampled after the fill's messages had all been delivered.
    expect(parsed.growth.errors).toEqual({});
    expect(parsed.growth.checkpoints.map((c) => c.messages)[0]).toBe(100);
    expect(parsed.busy).toMatchObject({
      accepted: QUICK.busyMessages,
      liveWhileBusy: 0,
      missing: 0,
      duplicated: 0,
      inOrder: true,
    });
    expect(parsed.serviceErrors.count).toBe(0);
  });
});
