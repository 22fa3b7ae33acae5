#!/usr/bin/env node
import { startStack } from './stack.js';

const help = `Usage: npm start [-- --realtime-nodes N]

Starts the whole chat locally: auth, users, messages, N realtime nodes (default 2) and the gateway.
Environment: PORT (gateway, default 5000; the services take the next ports), REDIS_URL, AMQP_URL,
MONGO_URL (unset: an embedded MongoDB-wire-compatible server, data kept in memory), MONGO_DB_PREFIX
(prefix of the auth/users/messages database names, default none), REDIS_PREFIX (prefix of every Redis
key and channel, default unique per run), JWT_SECRET,
INTERNAL_TOKEN_SECRET, LOG_LEVEL. Ctrl-C stops everything.`;

function parseArgs(argv: string[]): { realtimeNodes: number } | 'help' {
  let realtimeNodes = 2;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--realtime-nodes') {
      realtimeNodes = Number(argv[++i]);
      if (!Number.isInteger(realtimeNodes) || realtimeNodes < 1)
        throw new Error('--realtime-nodes takes a number ≥ 1');
    } else {
      throw new Error(`unknown option ${arg} (see --help)`);
    }
  }
  return { realtimeNodes };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args === 'help') {
    console.log(help);
    return;
  }
  const env = process.env;
  const stack = await startStack({
    gatewayPort: Number(env.PORT ?? 5000),
    realtimeNodes: args.realtimeNodes,
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    ...(env.AMQP_URL ? { amqpUrl: env.AMQP_URL } : {}),
    ...(env.MONGO_URL ? { mongoUrl: env.MONGO_URL } : {}),
    ...(env.MONGO_DB_PREFIX ? { databasePrefix: env.MONGO_DB_PREFIX } : {}),
    ...(env.REDIS_PREFIX !== undefined ? { redisPrefix: env.REDIS_PREFIX } : {}),
  });
  console.log(`Chat is running at ${stack.url}`);
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping the chat…');
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  for (const service of stack.services) {
    void service.exited.then((code) => {
      if (!stopping) console.error(`[${service.spec.name}] exited (${code})`);
    });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
