import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

// Preloaded into each service with NODE_OPTIONS=--import (Node 20 refuses --cpu-prof there): samples the
// CPU from start to exit and writes <dir>/<service>-<pid>.cpuprofile, readable by Chrome DevTools.
const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  const service = /(?:services|libs)\/([^/]+)\//.exec(process.argv[1] ?? '')?.[1] ?? 'process';
  process.once('exit', () => {
    // The in-process inspector answers synchronously, so this completes before the process ends.
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      mkdirSync(dir, { recursive: true });
      const name = `${service}-${process.env.NODE_ID ?? ''}${process.pid}.cpuprofile`;
      writeFileSync(path.join(dir, name), JSON.stringify(result.profile));
    });
  });
}
