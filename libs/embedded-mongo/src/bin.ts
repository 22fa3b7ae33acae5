#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startEmbeddedMongo } from './index.js';

const USAGE = `Usage: embedded-mongo [--port N] [--host H]

Serves an in-memory MongoDB-wire-compatible database until SIGINT or SIGTERM, then exits 0.
The first line on stdout is its URI (mongodb://H:N/?directConnection=true).

  -p, --port N   port to listen on (default 0: any free port)
      --host H   address to listen on (default 127.0.0.1)
  -h, --help     show this help
`;

function parseOptions() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`embedded-mongo: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    process.exit(2);
  }
}

const values = parseOptions();
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
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
