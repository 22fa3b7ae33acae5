import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { spawnProcess } from '../../src/service-process.js';
import type { ServiceProcess } from '../../src/stack.js';
import type { LocalInstance } from './compose-env.js';
import type { ReplayedStage } from './dockerfile-replay.js';
import { hostBasics } from './host-shell.js';

const execFileAsync = promisify(execFile);

/** The folder a replayed image's processes start in (its WORKDIR). */
export function workdirOf(image: ReplayedStage): string {
  return path.join(image.root, image.workdir);
}

/**
 * Runs a replayed image's CMD as a container would: in its WORKDIR, with its ENV under the compose
 * environment and nothing else from this process. Shaped like the stack's services, so the stack's
 * readiness and stop helpers apply.
 */
export function startFromImage(
  image: ReplayedStage,
  instance: LocalInstance,
  log: (line: string) => void,
): ServiceProcess {
  const [file, ...args] = image.cmd ?? [];
  if (!file) throw new Error(`the ${instance.service} image has no CMD`);
  const spec = {
    name: instance.name,
    workspace: instance.service,
    port: instance.port,
    env: instance.environment,
  };
  return spawnProcess(
    spec,
    { file, args, cwd: workdirOf(image), env: { ...hostBasics(), ...image.env, ...instance.environment } },
    log,
  );
}

/** Runs a compose healthcheck's `CMD` form with the instance's environment; resolves with its exit code. */
export async function runHealthcheck(
  image: ReplayedStage,
  instance: LocalInstance,
  test: string[],
): Promise<number> {
  const [form, file, ...args] = test;
  if (form !== 'CMD' || !file) throw new Error(`unsupported healthcheck ${JSON.stringify(test)}`);
  try {
    await execFileAsync(file, args, {
      cwd: workdirOf(image),
      env: { ...hostBasics(), ...image.env, ...instance.environment },
    });
    return 0;
  } catch (error) {
    return typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1;
  }
}

/** The real path of every installed package folder under `node_modules`, nested ones and workspace links too. */
export async function installedPackages(nodeModules: string, seen = new Set<string>()): Promise<Set<string>> {
  if (!existsSync(nodeModules)) return seen;
  for (const entry of await readdir(nodeModules)) {
    if (entry.startsWith('.')) continue;
    const full = path.join(nodeModules, entry);
    const folders = entry.startsWith('@')
      ? (await readdir(full)).map((name) => path.join(full, name))
      : [full];
    for (const folder of folders) {
      const real = await realpath(folder);
      if (seen.has(real)) continue;
      seen.add(real);
      await installedPackages(path.join(real, 'node_modules'), seen);
    }
  }
  return seen;
}

/** `npm ls --omit=dev --all --parseable` in `dir`: its exit code, report, and the package folders it lists. */
export async function productionTree(
  dir: string,
): Promise<{ code: number; report: string; paths: string[] }> {
  try {
    const { stdout } = await execFileAsync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
      cwd: dir,
      env: hostBasics(),
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, report: '', paths: stdout.split('\n').filter(Boolean) };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? 1, report: `${failure.stderr ?? ''}${failure.stdout ?? ''}`, paths: [] };
  }
}
