#!/usr/bin/env node
import { DEFAULT_REPLICAS, parseShape, startStack, type Tier } from './stack.js';

const help = `Usage: npm start [-- --replicas gateway=2,auth=2,users=2,messages=2,realtime=3,queues=4] [-- --realtime-nodes N]

Starts the whole chat locally: auth, users, messages, the realtime nodes and the gateway, each tier as
--replicas says (default one of each and two realtime nodes; --realtime-nodes N sets the realtime count alone;
queues=N splits message.created over N realtime delivery queues, DELIVERY_QUEUES).
Environment: PORT (first gateway, default 5000; the other gateways and the services take the next ports), REDIS_URL, AMQP_URL,
MONGO_URL (unset: an embedded MongoDB-wire-compatible server, data kept in memory), MONGO_DB_PREFIX
(prefix of the auth/users/messages database names, default none), REDIS_PREFIX (prefix of every Redis
key and channel; default unique per run and deleted at stop, or with MONGO_URL one per MongoDB server and
MONGO_DB_PREFIX, kept like the data), JWT_SECRET,
INTERNAL_TOKEN_SECRET, LOG_LEVEL. Ctrl-C stops everything.`;

const count = (option: string, raw: string | undefined): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${option} takes a number ≥ 1`);
  return n;
};

function parseArgs(argv: string[]): { replicas: Record<Tier, number>; queues?: number } | 'help' {
  const replicas = { ...DEFAULT_REPLICAS };
  let queues: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--realtime-nodes') {
      replicas.realtime = count(arg, argv[++i]);
    } else if (arg === '--replicas') {
      const shape = parseShape(argv[++i] ?? '');
      Object.assign(replicas, shape.replicas);
      queues = shape.queues ?? queues;
    } else {
      throw new Error(`unknown option ${arg} (see --help)`);
    }
  }
  return queues === undefined ? { replicas } : { replicas, queues };
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
    replicas: args.replicas,
    ...(args.queues ? { env: { DELIVERY_QUEUES: String(args.queues) } } : {}),
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    ...(env.AMQP_URL ? { amqpUrl: env.AMQP_URL } : {}),
    ...(env.MONGO_URL ? { mongoUrl: env.MONGO_URL } : {}),
    ...(env.MONGO_DB_PREFIX ? { databasePrefix: env.MONGO_DB_PREFIX } : {}),
    ...(env.REDIS_PREFIX !== undefined ? { redisPrefix: env.REDIS_PREFIX } : {}),
  });
  console.log(`Chat is running at ${stack.url}`);
  // More gateways: any of them serves the whole chat (a load balancer would sit in front of them).
  for (const url of stack.urls.slice(1)) console.log(`Also at ${url}`);
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
