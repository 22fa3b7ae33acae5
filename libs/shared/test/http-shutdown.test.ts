import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

// Runs in a child process because installShutdown calls process.exit; uses the built dist/ output.
const httpModule = new URL('../dist/http/index.js', import.meta.url).href;
const loggerModule = new URL('../dist/logger/index.js', import.meta.url).href;

function runChild(
  stopBody: string,
  signals: NodeJS.Signals[],
): Promise<{ code: number | null; output: string }> {
  const script = `
    const { installShutdown } = await import(${JSON.stringify(httpModule)});
    const { createLogger } = await import(${JSON.stringify(loggerModule)});
    const logger = createLogger({ service: 'shutdown-child' });
    installShutdown(async () => { ${stopBody} }, logger, 500);
    setInterval(() => {}, 1000);
    console.log('READY');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  let output = '';
  return new Promise((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (chunk.toString().includes('READY')) for (const signal of signals) child.kill(signal);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('installShutdown', () => {
  test('SIGTERM runs stop() and exits 0', async () => {
    const { code, output } = await runChild("console.log('STOPPED');", ['SIGTERM']);
    expect(output).toContain('STOPPED');
    expect(code).toBe(0);
  });

  test('a stop() that never finishes exits 1 at the timeout', async () => {
    const { code, output } = await runChild('await new Promise(() => {});', ['SIGINT']);
    expect(output).toContain('shutdown timed out');
    expect(code).toBe(1);
  });

  test('a failing stop() exits 1', async () => {
    const { code } = await runChild("throw new Error('close failed');", ['SIGTERM']);
    expect(code).toBe(1);
  });
});
