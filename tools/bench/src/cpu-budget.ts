import type { ProcessFigures } from './proc-stats.js';

/** One group of processes (e.g. every realtime node) and its CPU per delivered message. */
export interface CpuPerMessage {
  group: string;
  ms: number;
  /** The per-process budget of a delivered message, when the product sets one. */
  budgetMs: number | null;
}

/**
 * The CPU budget of one delivered message, per process kind; the stack (everything but the load generator)
 * within `stack`. Redis and RabbitMQ are the machine's shared servers: their figure includes whatever else
 * ran on them during the phase.
 */
export const CPU_BUDGET_MS = {
  gateway: 0.25,
  messages: 0.4,
  mongodb: 0.3,
  realtime: 0.2,
  rabbitmq: 0.25,
  redis: 0.1,
  stack: 1.5,
} as const;

/** The group a watched process counts in: replicas and nodes (`realtime-2`) go with their kind. */
function groupOf(name: string): string {
  if (name.startsWith('bench')) return 'bench';
  if (name.startsWith('mongodb')) return 'mongodb';
  return name.replace(/-\d+$/, '');
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

/** CPU ms per delivered message by process group, then the stack's total (load generator excluded). */
export function cpuPerDelivered(processes: ProcessFigures[], delivered: number): CpuPerMessage[] {
  if (delivered === 0) return [];
  const seconds = new Map<string, number>();
  for (const p of processes) {
    const group = groupOf(p.name);
    seconds.set(group, (seconds.get(group) ?? 0) + p.cpuSeconds);
  }
  const budgetOf = (group: string): number | null => (CPU_BUDGET_MS as Record<string, number>)[group] ?? null;
  const rows = [...seconds.entries()].map(
    ([group, cpu]): CpuPerMessage => ({
      group,
      ms: round((cpu * 1000) / delivered),
      budgetMs: budgetOf(group),
    }),
  );
  const stackMs = rows.filter((r) => r.group !== 'bench').reduce((sum, r) => sum + r.ms, 0);
  rows.push({ group: 'stack', ms: round(stackMs), budgetMs: CPU_BUDGET_MS.stack });
  return rows;
}
