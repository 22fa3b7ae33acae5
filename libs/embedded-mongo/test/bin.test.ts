import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import mongoose, { Schema } from 'mongoose';
import { afterAll, describe, expect, test } from 'vitest';
import { uniqueDbName } from './helpers.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
/** What `npx embedded-mongo` runs: the link npm made to the package's committed bin. */
const LINKED_BIN = fileURLToPath(new URL('../../../node_modules/.bin/embedded-mongo', import.meta.url));
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the bin in its own process and resolves with the URI from its first stdout line. */
function startBin(
  args: string[],
  via: 'dist' | 'npm link' = 'dist',
): Promise<{ child: ChildProcess; uri: string }> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npx tsc -b libs/embedded-mongo\` first`);
  const child =
    via === 'dist'
      ? spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
      : spawn(LINKED_BIN, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('bin printed no URI within 10s')), 10_000);
    child.once('exit', (code) => reject(new Error(`bin exited early with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        resolve({ child, uri: out.slice(0, newline) });
      }
    });
  });
}

function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('embedded-mongo bin', () => {
  test('--port N serves a mongoose client from another process, then exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const { child, uri } = await startBin(['--port', String(port)]);
    const conn = await mongoose.createConnection(uri, { dbName: uniqueDbName('bin') }).asPromise();
    try {
      const Note = conn.model(
        'Note',
        new Schema({ text: { type: String, unique: true } }, { timestamps: true }),
      );
      await Note.init();
      await Note.create({ text: 'hello' });
      await expect(Note.create({ text: 'hello' })).rejects.toMatchObject({ code: 11000 });
      const found = await Note.findOne({ text: 'hello' }).lean();
      expect(uri).toBe(`mongodb://127.0.0.1:${port}/?directConnection=true`);
      expect(found?.createdAt).toBeInstanceOf(Date);
    } finally {
      await conn.close();
    }
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  });

  test('without --port it picks a free port and stops on SIGINT', async () => {
    const { child, uri } = await startBin([]);
    expect(uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/\?directConnection=true$/);
    child.kill('SIGINT');
    expect(await exitCode(child)).toBe(0);
  });

  test('npx embedded-mongo runs the linked bin: --help prints the usage, and the server starts and stops', async () => {
    const help = spawnSync(LINKED_BIN, ['--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: embedded-mongo \[--port N\] \[--host H\]/);

    const { child, uri } = await startBin([], 'npm link');
    expect(uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/\?directConnection=true$/);
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  });

  test('an unknown option is a usage error (exit 2), not a stack trace', () => {
    const wrong = spawnSync(process.execPath, [BIN, '--prot', '1'], { encoding: 'utf8' });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/^embedded-mongo: Unknown option '--prot'/);
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
  });
});
