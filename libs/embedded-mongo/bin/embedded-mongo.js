#!/usr/bin/env node
// The package's bin. It is plain JavaScript and committed, unlike dist/, so `npm install` links it on a fresh
// clone (npm skips a bin whose target is missing, and `npx embedded-mongo` would then go to the registry).
// It runs the compiled server, building the package first when dist/ does not exist yet.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(compiled)) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const packageDir = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write('embedded-mongo: building the package (first run)\n');
  // The compiler's output goes to stderr: the first stdout line is the server's URI, which callers read.
  execFileSync(process.execPath, [tsc, '-b', packageDir], { stdio: ['ignore', 2, 2] });
}
await import(compiled.href);
