import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

/** One process watched during a phase: a stack service, the MongoDB, Redis, RabbitMQ or the bench itself. */
export interface WatchedProcess {
  name: string;
  pid: number;
}

export interface ProcessFigures {
  name: string;
  pid: number;
  cpuSeconds: number;
  /** Share of one core over the phase (1 = one core fully busy). */
  cores: number;
  /** Peak resident set (VmHWM) during the phase when it could be reset, else over the process's life. */
  peakRssMB: number;
  rssMB: number;
}

/** utime + stime of a process, in seconds; undefined when it is gone or /proc is missing. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the `(comm)` field, which may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** A `Vm*` line of /proc/<pid>/status in bytes (VmRSS, VmHWM). */
export function memoryOf(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0, own processes only); false when not allowed. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Processes whose command name is `comm` (e.g. `redis-server`, `beam.smp`), found through /proc. */
export function findProcesses(comm: string, label: string): WatchedProcess[] {
  const found: WatchedProcess[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm)
        found.push({ name: label, pid: Number(entry) });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const MB = 1024 * 1024;
const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** Starts watching: CPU counters now, peaks reset; `finish()` returns the figures of the phase. */
export function watchProcesses(processes: WatchedProcess[]): { finish(): ProcessFigures[] } {
  const started = Date.now();
  const startCpu = new Map(processes.map((p) => [p.pid, cpuSecondsOf(p.pid)]));
  for (const p of processes) resetPeak(p.pid);
  return {
    finish() {
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      const figures: ProcessFigures[] = [];
      for (const p of processes) {
        const start = startCpu.get(p.pid);
        const end = cpuSecondsOf(p.pid);
        // Gone (or not yet there) for part of the phase, e.g. a Redis restarted meanwhile: no figure.
        if (start === undefined || end === undefined) continue;
        const cpu = Math.max(0, end - start);
        figures.push({
          name: p.name,
          pid: p.pid,
          cpuSeconds: round(cpu),
          cores: round(cpu / seconds),
          peakRssMB: round((memoryOf(p.pid, 'VmHWM') ?? 0) / MB, 1),
          rssMB: round((memoryOf(p.pid, 'VmRSS') ?? 0) / MB, 1),
        });
      }
      return figures;
    },
  };
}

/** The soft limit on open files of a process (`Max open files` in /proc/<pid>/limits). */
export function openFilesLimit(pid: number | 'self' = 'self'): number | undefined {
  try {
    const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
    if (!match?.[1] || match[1] === 'unlimited') return undefined;
    return Number(match[1]);
  } catch {
    return undefined;
  }
}
