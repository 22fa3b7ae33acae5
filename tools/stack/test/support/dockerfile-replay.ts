import { existsSync } from 'node:fs';
import { cp, lstat, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DockerContext } from './docker-context.js';
import {
  commandOf,
  type Instruction,
  parseAssignments,
  type Stage,
  splitFlags,
  substitute,
} from './dockerfile.js';
import { runCommand } from './host-shell.js';

/** A replayed stage: its filesystem root on the host and the image settings it ended with. */
export interface ReplayedStage {
  name: string;
  /** The name and the build arguments it was replayed with, e.g. `files SERVICE=auth`. */
  label: string;
  root: string;
  workdir: string;
  env: Record<string, string>;
  user: string | undefined;
  cmd: string[] | undefined;
  /** How long its instructions took, in ms. */
  ms: number;
}

export interface ReplayOptions {
  context: DockerContext;
  /** Where the stage roots are created. */
  workDir: string;
  buildArgs: Record<string, string>;
  /** Stages already replayed, by `cacheKey`; shared between replays of the same Dockerfile. */
  cache: Map<string, ReplayedStage>;
  log?: (line: string) => void;
}

/**
 * Replays the stages of a Dockerfile on the host, the host's Node and npm standing in for the base image:
 * every stage gets its own folder as `/`, COPY reads the build context (honouring .dockerignore) or an
 * earlier stage's folder, RUN goes through `sh -c` in the WORKDIR with the stage's ENV and ARGs only.
 * Returns the last stage.
 */
export async function replayDockerfile(stages: Stage[], opts: ReplayOptions): Promise<ReplayedStage> {
  const done = new Map<string, ReplayedStage>();
  let last: ReplayedStage | undefined;
  for (const stage of stages) {
    last = await replayStage(stage, stages, done, opts);
    done.set(stage.name, last);
  }
  if (!last) throw new Error('the Dockerfile has no stage');
  return last;
}

/** A stage's cache key: its index, the build arguments it declares, and the keys of the stages it reads. */
/** `NAME=value` for every build argument the stage declares. */
function declaredArgs(stage: Stage, opts: ReplayOptions): string[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === 'ARG')
    .flatMap((instruction) => parseAssignments(instruction.args))
    .map(([name]) => `${name}=${opts.buildArgs[name] ?? ''}`);
}

function cacheKey(stage: Stage, stages: Stage[], opts: ReplayOptions): string {
  const parts = [String(stage.index), ...declaredArgs(stage, opts)];
  for (const instruction of stage.instructions) {
    const from = instruction.keyword === 'COPY' ? splitFlags(instruction.args).flags.from : undefined;
    const source = stages.find((s) => s.name === from);
    if (source) parts.push(`<${cacheKey(source, stages, opts)}>`);
  }
  const base = stages.find((s) => s.name === stage.from);
  if (base) parts.push(`^${cacheKey(base, stages, opts)}`);
  return parts.join(' ');
}

async function replayStage(
  stage: Stage,
  stages: Stage[],
  done: Map<string, ReplayedStage>,
  opts: ReplayOptions,
): Promise<ReplayedStage> {
  const key = cacheKey(stage, stages, opts);
  const cached = opts.cache.get(key);
  if (cached) return cached;
  const started = Date.now();
  const root = path.join(opts.workDir, `stage-${opts.cache.size}-${stage.name}`);
  const label = [stage.name, ...declaredArgs(stage, opts)].join(' ');
  const base = done.get(stage.from);
  const state: ReplayedStage = base
    ? { ...base, name: stage.name, label, root, env: { ...base.env } }
    : { name: stage.name, label, root, workdir: '/', env: {}, user: undefined, cmd: undefined, ms: 0 };
  await mkdir(root, { recursive: true });
  if (base) await cp(base.root, root, { recursive: true, verbatimSymlinks: true });
  const args: Record<string, string> = {};
  for (const instruction of stage.instructions) {
    try {
      await apply(instruction, state, args, done, opts);
    } catch (error) {
      const where = `stage ${label}, line ${instruction.line} (${instruction.keyword})`;
      throw new Error(`${where}: ${String(error)}`, { cause: error });
    }
  }
  state.ms = Date.now() - started;
  opts.cache.set(key, state);
  return state;
}

/** A path inside the stage, resolved against its WORKDIR, as a host path under the stage's root. */
function inStage(state: ReplayedStage, target: string): string {
  return path.join(state.root, path.posix.resolve(state.workdir, target));
}

async function apply(
  instruction: Instruction,
  state: ReplayedStage,
  args: Record<string, string>,
  done: Map<string, ReplayedStage>,
  opts: ReplayOptions,
): Promise<void> {
  const vars = { ...args, ...state.env };
  switch (instruction.keyword) {
    case 'ARG':
      for (const [name, fallback] of parseAssignments(instruction.args)) {
        args[name] = opts.buildArgs[name] ?? fallback ?? '';
      }
      return;
    case 'ENV':
      for (const [name, value] of parseAssignments(instruction.args))
        state.env[name] = substitute(value ?? '', vars);
      return;
    case 'WORKDIR':
      state.workdir = path.posix.resolve(state.workdir, substitute(instruction.args.trim(), vars));
      await mkdir(inStage(state, '.'), { recursive: true });
      return;
    case 'COPY':
      return copy(instruction.args, state, vars, done, opts);
    case 'RUN':
      return runCommand(
        commandOf(instruction.args),
        inStage(state, '.'),
        { ...args, ...state.env },
        opts.log,
      );
    case 'USER':
      state.user = substitute(instruction.args.trim(), vars);
      return;
    case 'CMD':
      state.cmd = commandOf(instruction.args);
      return;
    default:
      // STOPSIGNAL and EXPOSE change nothing on the filesystem.
      return;
  }
}

async function copy(
  rawArgs: string,
  state: ReplayedStage,
  vars: Record<string, string>,
  done: Map<string, ReplayedStage>,
  opts: ReplayOptions,
): Promise<void> {
  const { flags, rest } = splitFlags(rawArgs);
  const words = rest.map((word) => substitute(word, vars));
  const dest = words.pop() ?? '';
  if (words.length === 0) throw new Error('COPY needs a source and a destination');
  const intoFolder = dest.endsWith('/') || words.length > 1;
  const from = flags.from === undefined ? undefined : done.get(flags.from);
  if (flags.from !== undefined && !from) throw new Error(`no earlier stage named ${flags.from}`);
  for (const source of words) {
    if (/[*?[]/.test(source)) throw new Error(`the replay does not expand wildcards (${source})`);
    const host = from ? path.join(from.root, path.posix.resolve('/', source)) : opts.context.hostPath(source);
    if (!existsSync(host))
      throw new Error(`COPY ${source}: not found in ${flags.from ?? 'the build context'}`);
    // A folder's content goes into the destination; a file goes into it only when it names a folder.
    const named = intoFolder && !(await lstat(host)).isDirectory();
    const target = inStage(state, named ? path.posix.join(dest, path.posix.basename(source)) : dest);
    if (from) await cp(host, target, { recursive: true, verbatimSymlinks: true });
    else await opts.context.copy(source, target);
  }
}
