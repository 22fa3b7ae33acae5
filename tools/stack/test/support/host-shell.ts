import { spawn } from 'node:child_process';
import path from 'node:path';

/** The PATH and HOME of this host, where an image would have its own: the host's Node is the base image. */
export function hostBasics(): Record<string, string> {
  return {
    PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    HOME: process.env.HOME ?? '/',
  };
}

/** Runs a command in `cwd` with `env` over the host basics only; rejects with the output's tail on failure. */
export function runCommand(
  command: string[],
  cwd: string,
  env: Record<string, string>,
  log?: (line: string) => void,
): Promise<void> {
  const [file = 'sh', ...rest] = command;
  const child = spawn(file, rest, { cwd, env: { ...hostBasics(), ...env }, stdio: 'pipe' });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      output.push(chunk);
      log?.(chunk.trimEnd());
    });
  }
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command.join(' ')} exited with ${code}:\n${output.join('').slice(-4_000)}`));
    });
  });
}
