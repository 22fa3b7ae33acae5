#!/usr/bin/env node
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type BenchOptions, HELP, OptionsError, parseOptions } from './options.js';
import { runBench } from './run-bench.js';
import { formatTable } from './table.js';

function readOptions(): BenchOptions | 'help' {
  try {
    return parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    console.error(`chat-bench: ${error.message} (see --help)`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  if (options === 'help') {
    console.log(HELP);
    return;
  }
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s`;
  const result = await runBench(options, {
    progress: (line) => console.error(`[bench ${elapsed()}] ${line}`),
    serviceLog: options.verbose ? (line) => console.error(line) : undefined,
  });
  console.log(formatTable(result));
  mkdirSync(options.outDir, { recursive: true });
  const file = path.join(options.outDir, `bench-${result.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nresults: ${file}`);
}

main().then(
  // Sockets and keep-alive connections are closed; exit without waiting for idle timers.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
