import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** A child process with its stdout and stderr lines collected. */
export interface RunningCommand {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/** Runs `node <script>` from the repository root with the given environment on top of this one. */
export function runNode(script: string, env: Record<string, string | undefined>): RunningCommand {
  const child = spawn(process.execPath, [script], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = { stdout: '', stderr: '' };
  for (const name of ['stdout', 'stderr'] as const) {
    child[name]?.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial[name] + chunk).split('\n');
      partial = { ...partial, [name]: parts.pop() ?? '' };
      lines.push(...parts);
    });
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once('close', (code, signal) => {
      for (const rest of Object.values(partial)) if (rest) lines.push(rest);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return { child, lines, exited };
}

/** Pids whose parent is `pid` (Linux /proc). */
export function childPidsOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may hold spaces and parentheses; the fields after its last ')' are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // the process ended while we listed
    }
  }
  return children;
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
