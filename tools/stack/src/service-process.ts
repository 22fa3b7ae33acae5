import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServiceSpec {
  /** Name used as the log prefix, e.g. `realtime-2`. */
  name: string;
  /** Workspace folder under services/, e.g. `realtime`. */
  workspace: string;
  port: number;
  env: Record<string, string>;
}

export interface ServiceProcess {
  readonly spec: ServiceSpec;
  readonly url: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
}

/** How to start a service's process: the program, its arguments, folder and whole environment. */
export interface Command {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Spawns `command` as the process of `spec`, prefixing every output line with the service name. */
export function spawnProcess(
  spec: ServiceSpec,
  command: Command,
  log: (line: string) => void,
): ServiceProcess {
  const child = spawn(command.file, command.args, {
    cwd: command.cwd,
    env: command.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => log(`[${spec.name}] ${line}`));
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return { spec, url: `http://127.0.0.1:${spec.port}`, child, exited };
}

/** Spawns `node services/<workspace>/dist/start.js` from `root`, with `spec.env` and PORT over this environment. */
export function spawnService(root: string, spec: ServiceSpec, log: (line: string) => void): ServiceProcess {
  return spawnProcess(
    spec,
    {
      file: process.execPath,
      args: [`services/${spec.workspace}/dist/start.js`],
      cwd: root,
      env: { ...process.env, ...spec.env, PORT: String(spec.port) },
    },
    log,
  );
}

/** Polls the service's /readyz until it answers 200; fails early if the process exits. */
export async function waitUntilReady(service: ServiceProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: number | string | undefined;
  void service.exited.then((code) => {
    exitedWith = code;
  });
  while (Date.now() < deadline) {
    if (exitedWith !== undefined) {
      throw new Error(`${service.spec.name} exited (${exitedWith}) before it was ready`);
    }
    try {
      const res = await fetch(`${service.url}/readyz`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${service.spec.name} was not ready within ${timeoutMs} ms`);
}

/** SIGTERM, then SIGKILL if the process has not exited within the grace period. */
export async function stopService(service: ServiceProcess, graceMs = 10_000): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), graceMs);
  await service.exited;
  clearTimeout(timer);
}
