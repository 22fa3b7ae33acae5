import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './processes.js';

const webDir = path.join(repoRoot, 'web');

function newestMtime(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

function builtAt(): number {
  try {
    return statSync(path.join(webDir, 'dist', 'index.html')).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Builds the web client (web/dist, which the gateway serves at /) unless a build newer than its sources
 * exists, so `npm test` on a fresh clone tests the client as it is in the tree.
 */
export function ensureWebClientBuilt(): void {
  const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => path.join(webDir, p));
  if (builtAt() > Math.max(...sources.map(newestMtime))) return;
  // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
  const env = { ...process.env, NODE_ENV: 'production' };
  execFileSync('npm', ['run', 'build', '--silent', '-w', 'web'], { cwd: repoRoot, stdio: 'pipe', env });
}
