import { Writable } from 'node:stream';
import { createLogger } from '../src/logger/index.js';

/** A logger whose JSON lines are collected in `lines`. */
export function captureLogger(service: string) {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ service, level: 'debug', destination }), lines };
}
