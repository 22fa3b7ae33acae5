import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { DockerContext } from './support/docker-context.js';
import { parseDockerfile } from './support/dockerfile.js';
import { type ReplayedStage, replayDockerfile } from './support/dockerfile-replay.js';
import { repoRoot } from './support/processes.js';

// The replay that stands in for a Docker engine (docker-image.test.ts) must itself follow Docker's rules.
const made: string[] = [];
afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'replay-unit-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

describe("the repository's .dockerignore", () => {
  const context = new DockerContext(repoRoot);

  test('keeps installs, builds, results and local env files out of the build context', () => {
    for (const ignored of [
      'node_modules/zod/package.json',
      'services/auth/node_modules/x',
      'services/auth/dist/start.js',
      'web/dist/index.html',
      'libs/shared/tsconfig.tsbuildinfo',
      'bench/results/latest.json',
      '.env',
      '.env.local',
      '.git',
    ]) {
      expect(context.isIgnored(ignored), ignored).toBe(true);
    }
  });

  test('sends the sources, manifests and the documented example env', () => {
    for (const kept of [
      'services/auth/src/start.ts',
      'package-lock.json',
      'web/package.json',
      '.env.example',
    ]) {
      expect(context.isIgnored(kept), kept).toBe(false);
    }
  });
});

describe('the Dockerfile replay', () => {
  test('joins continued lines, drops comments, and names stages', () => {
    const stages = parseDockerfile(
      '# top\nFROM node:22 AS build\nRUN a \\\n  # inner\n  && b\nFROM node:22\nUSER node\n',
    );
    expect(stages.map((s) => s.name)).toEqual(['build', '1']);
    expect(stages[0]?.instructions).toEqual([{ keyword: 'RUN', args: 'a    && b', line: 3 }]);
  });

  test('copies from the context without ignored files, runs RUN in WORKDIR with ARG and ENV, copies between stages', async () => {
    const context = await folder({
      '.dockerignore': '**/dist\n',
      'app/src/main.txt': 'source',
      'app/dist/old.txt': 'stale',
    });
    const dockerfile = [
      'FROM base AS build',
      'ARG NAME',
      'ENV GREETING=hello',
      'WORKDIR /work',
      'COPY app app',
      'RUN mkdir out && printf "%s %s" "$GREETING" "$NAME" > out/said.txt',
      'FROM base',
      'WORKDIR /srv',
      'COPY --from=build /work/out/said.txt /work/app/src ./',
      'USER node',
      'CMD ["node", "x.js"]',
    ].join('\n');
    const workDir = await folder({});
    const cache = new Map<string, ReplayedStage>();
    const opts = { context: new DockerContext(context), workDir, buildArgs: { NAME: 'auth' }, cache };
    const last = await replayDockerfile(parseDockerfile(dockerfile), opts);

    const srv = path.join(last.root, 'srv');
    expect(await readFile(path.join(srv, 'said.txt'), 'utf8')).toBe('hello auth');
    expect(readFileSync(path.join(srv, 'main.txt'), 'utf8')).toBe('source');
    const build = [...cache.values()].find((s) => s.name === 'build');
    expect(existsSync(path.join(build?.root ?? '', 'work/app/dist'))).toBe(false);
    expect(last).toMatchObject({ workdir: '/srv', user: 'node', cmd: ['node', 'x.js'], env: {} });
  });

  test('fails on a COPY whose source is missing, naming the stage and line', async () => {
    const opts = {
      context: new DockerContext(await folder({ 'a.txt': 'a' })),
      workDir: await folder({}),
      buildArgs: {},
      cache: new Map<string, ReplayedStage>(),
    };
    await expect(
      replayDockerfile(parseDockerfile('FROM base AS b\nCOPY missing.txt ./\n'), opts),
    ).rejects.toThrow(/stage b, line 2 \(COPY\).*not found/);
  });
});
