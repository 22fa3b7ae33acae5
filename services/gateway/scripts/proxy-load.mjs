#!/usr/bin/env node
// The gateway's CPU per proxied request, measured alone: the gateway runs in a child process (from dist/)
// in front of a minimal upstream in another child, on the machine's Redis, and this process sends
// authenticated `POST /api/messages/send/:id` requests through it (cookie, JSON body, 32 in flight), as the
// chat load does. The gateway's CPU (process.cpuUsage, after a warm-up) is its alone. Not a test: numbers
// vary with the machine; compare builds in alternation.
//
//   npm run build -w @chat/gateway
//   node services/gateway/scripts/proxy-load.mjs [--requests 20000] [--concurrency 32] [--dist DIR]
//       [--profile DIR]   (writes the gateway's .cpuprofile there)
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '32' },
    dist: { type: 'string', default: new URL('../dist', import.meta.url).pathname },
    role: { type: 'string', default: 'load' },
    profile: { type: 'string' },
  },
});
const dist = resolve(values.dist);
const JWT_SECRET = 'proxy-load-jwt-secret-0123456789abcdef0123';
const INTERNAL_SECRET = 'proxy-load-internal-secret-0123456789abcd';

if (values.role === 'upstream') await serveUpstream();
else if (values.role === 'gateway') await serveGateway();
else await measure();

function reportCpu() {
  process.on('message', (m) => {
    if (m === 'cpu') process.send({ cpu: process.cpuUsage() });
    if (m === 'stop') process.exit(0);
  });
}

/** A messages service stand-in: reads the body, answers 201 with a message-shaped reply. */
async function serveUpstream() {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({ _id: randomUUID(), message: Buffer.concat(chunks).toString() });
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  reportCpu();
  process.send({ url: `http://127.0.0.1:${server.address().port}` });
}

async function serveGateway() {
  const { createApp } = await import(pathToFileURL(`${dist}/app.js`).href);
  const { configSchema } = await import(pathToFileURL(`${dist}/config.js`).href);
  const upstream = process.env.UPSTREAM_URL;
  const config = configSchema.parse({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    JWT_SECRET,
    INTERNAL_TOKEN_SECRET: INTERNAL_SECRET,
    REDIS_PREFIX: `proxy-load-${process.pid}:`,
    RATE_LIMIT_NAMESPACE: `proxy-load-${process.pid}-`,
    RATE_LIMIT_API_PER_USER: '1000000000',
    AUTH_URL: upstream,
    USERS_URL: upstream,
    MESSAGES_URL: upstream,
    REALTIME_URLS: upstream,
  });
  const app = createApp(config);
  const { url } = await app.start(0, '127.0.0.1');
  reportCpu();
  process.send({ url });
}

/** CPU ms of the local redis-server (utime + stime, 100 ticks a second), if one can be found. */
function redisCpuMs() {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(redis-server)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {}
  }
  return undefined;
}

function child(role, env = {}) {
  const execArgv =
    role === 'gateway' && values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
  const proc = fork(new URL(import.meta.url).pathname, ['--role', role, '--dist', dist], {
    env: { ...process.env, ...env },
    execArgv,
  });
  const ask = (m) =>
    new Promise((res) => {
      proc.once('message', res);
      if (m) proc.send(m);
    });
  return { proc, ask };
}

async function measure() {
  const { signUserToken } = await import('@chat/shared/auth');
  const upstream = child('upstream');
  const { url: upstreamUrl } = await upstream.ask();
  const gateway = child('gateway', { UPSTREAM_URL: upstreamUrl });
  const { url } = await gateway.ask();
  const target = new URL(url);
  const users = Array.from({ length: 50 }, () =>
    signUserToken(randomUUID().replaceAll('-', '').slice(0, 24), JWT_SECRET),
  );
  const agent = new Agent({ keepAlive: true, maxSockets: Number(values.concurrency) });
  const body = JSON.stringify({ message: 'hello from the proxy load' });
  let failures = 0;

  const send = (i) =>
    new Promise((done) => {
      const { token } = users[i % users.length];
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: `/api/messages/send/${'a'.repeat(24)}`,
          agent,
          headers: {
            cookie: `jwt=${token}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          if (res.statusCode !== 201) failures++;
          res.resume();
          res.on('end', done);
        },
      );
      req.on('error', () => {
        failures++;
        done();
      });
      req.end(body);
    });

  async function run(count) {
    let next = 0;
    const worker = async () => {
      while (next < count) await send(next++);
    };
    await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
  }

  const cpuMs = async (c) => {
    const { cpu } = await c.ask('cpu');
    return (cpu.user + cpu.system) / 1000;
  };
  await run(Number(values.warmup));
  const requests = Number(values.requests);
  const [g0, u0, r0] = [await cpuMs(gateway), await cpuMs(upstream), redisCpuMs()];
  const started = performance.now();
  await run(requests);
  const wallMs = performance.now() - started;
  const [g1, u1, r1] = [await cpuMs(gateway), await cpuMs(upstream), redisCpuMs()];
  console.log(
    JSON.stringify({
      dist,
      requests,
      failures,
      perSecond: Math.round((requests / wallMs) * 1000),
      gatewayCpuMsPerRequest: Number(((g1 - g0) / requests).toFixed(3)),
      upstreamCpuMsPerRequest: Number(((u1 - u0) / requests).toFixed(3)),
      // The machine's Redis: anything else using it meanwhile is counted too.
      redisCpuMsPerRequest: r0 === undefined ? null : Number(((r1 - r0) / requests).toFixed(3)),
    }),
  );
  agent.destroy();
  for (const c of [gateway, upstream]) c.proc.send('stop');
}
