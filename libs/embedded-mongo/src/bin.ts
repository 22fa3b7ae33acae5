#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startEmbeddedMongo } from './index.js';

const { values } = parseArgs({
  options: { port: { type: 'string', short: 'p' }, host: { type: 'string' } },
});
const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`embedded-mongo: invalid --port ${values.port}\n`);
  process.exit(2);
}

const mongo = await startEmbeddedMongo({ port, host: values.host });

let stopping = false;
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  void mongo.stop().then(() => process.exit(0));
};
// Handlers go in before the URI is printed: a caller may signal as soon as it reads the line.
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

// The first stdout line is the contract: callers read the URI from it.
process.stdout.write(`${mongo.uri}\n`);
