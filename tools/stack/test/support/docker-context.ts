import { existsSync, readFileSync } from 'node:fs';
import { cp, lstat, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';

interface Rule {
  pattern: RegExp;
  exclude: boolean;
}

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] ?? '';
    if (glob.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * The build context as Docker sends it: `.dockerignore` rules (globs relative to the context, `**` for any
 * depth, `!` to re-include, the last matching rule wins; an excluded folder excludes what is under it).
 */
export class DockerContext {
  private readonly rules: Rule[];

  constructor(readonly root: string) {
    const file = path.join(root, '.dockerignore');
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
    this.rules = lines
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => {
        const exclude = !line.startsWith('!');
        const glob = path.posix.normalize(line.replace(/^!/, '').replace(/^\/+/, '')).replace(/\/$/, '');
        return { pattern: globToRegExp(glob), exclude };
      });
  }

  /** True when the context path (relative, `/`-separated) or one of its parent folders is ignored. */
  isIgnored(relative: string): boolean {
    const parts = relative.split('/');
    for (let depth = 1; depth <= parts.length; depth++) {
      const prefix = parts.slice(0, depth).join('/');
      let ignored = false;
      for (const rule of this.rules) if (rule.pattern.test(prefix)) ignored = rule.exclude;
      if (ignored && depth < parts.length) return true;
      if (depth === parts.length) return ignored;
    }
    return false;
  }

  /** Where a context path is on the host (whether or not it exists). */
  hostPath(source: string): string {
    return path.join(this.root, path.posix.normalize(source.replace(/^\/+/, '')));
  }

  /** Copies a context path to `dest`, leaving ignored files out; an ignored or missing source fails as COPY does. */
  async copy(source: string, dest: string): Promise<void> {
    const relative = path.posix.normalize(source.replace(/^\/+/, ''));
    const top = relative === '.' ? '' : relative;
    if (top !== '' && this.isIgnored(top)) throw new Error(`COPY ${source}: excluded by .dockerignore`);
    if (!existsSync(this.hostPath(source))) throw new Error(`COPY ${source}: not found in the build context`);
    await this.copyTree(top, dest);
  }

  private async copyTree(relative: string, dest: string): Promise<void> {
    const from = path.join(this.root, relative);
    const stats = await lstat(from);
    if (!stats.isDirectory()) {
      await mkdir(path.dirname(dest), { recursive: true });
      await cp(from, dest, { verbatimSymlinks: true });
      return;
    }
    await mkdir(dest, { recursive: true });
    for (const entry of await readdir(from)) {
      const child = relative === '' ? entry : `${relative}/${entry}`;
      if (!this.isIgnored(child)) await this.copyTree(child, path.join(dest, entry));
    }
  }
}
