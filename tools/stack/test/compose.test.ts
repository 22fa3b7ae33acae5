import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { composeServices, localInstances } from './support/compose-env.js';
import { parseAssignments, parseDockerfile } from './support/dockerfile.js';
import { GATEWAY_UPSTREAMS } from './support/gateway-upstreams.js';

// No Docker engine runs on our machines, so the compose file is checked structurally here.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const healthcheck = z.object({ test: z.array(z.string()).min(2), interval: z.string(), retries: z.number() });
const serviceSchema = z.object({
  image: z.string().optional(),
  build: z.object({ context: z.string(), args: z.record(z.string(), z.string()).optional() }).optional(),
  ports: z.array(z.string()).optional(),
  healthcheck,
  depends_on: z.record(z.string(), z.object({ condition: z.literal('service_healthy') })).optional(),
  environment: z.record(z.string(), z.string()).optional(),
  deploy: z.object({ replicas: z.number() }).optional(),
});
const composeSchema = z.object({
  services: z.record(z.string(), serviceSchema),
  volumes: z.record(z.string(), z.null()),
});

const compose = composeSchema.parse(
  parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }),
);
const appServices = ['gateway', 'auth', 'users', 'messages', 'realtime'];

describe('docker-compose.yml', () => {
  test('runs MongoDB, Redis, RabbitMQ and the five services', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [...appServices, 'mongo', 'rabbitmq', 'redis'].sort(),
    );
  });

  test('builds each service from the repository with its own SERVICE argument', () => {
    for (const name of appServices) {
      expect(compose.services[name]?.build?.args?.SERVICE, name).toBe(name);
    }
    for (const name of ['mongo', 'redis', 'rabbitmq']) {
      expect(compose.services[name]?.image, name).toMatch(/^(mongo|redis|rabbitmq):\d/);
    }
  });

  test('publishes only the gateway port', () => {
    const published = Object.entries(compose.services).filter(([, s]) => (s.ports ?? []).length > 0);
    expect(published.map(([name]) => name)).toEqual(['gateway']);
    // The published side is configurable; the container side must be the gateway's port.
    expect(compose.services.gateway?.ports?.[0]).toMatch(/:5000$/);
  });

  test('every dependency waits for health, and the infrastructure has volumes', () => {
    for (const name of ['auth', 'users', 'messages']) {
      expect(Object.keys(compose.services[name]?.depends_on ?? {}).sort(), name).toEqual([
        'mongo',
        'rabbitmq',
        'redis',
      ]);
    }
    expect(Object.keys(compose.services.gateway?.depends_on ?? {})).toEqual(
      expect.arrayContaining(['auth', 'users', 'messages', 'realtime', 'redis']),
    );
    expect(Object.keys(compose.volumes).sort()).toEqual(['mongo-data', 'rabbitmq-data', 'redis-data']);
  });

  test('passes only build arguments the Dockerfile declares, from the Dockerfile at the context root', () => {
    const declared = parseDockerfile(readFileSync(path.join(root, 'Dockerfile'), 'utf8'))
      .flatMap((stage) => stage.instructions)
      .filter((instruction) => instruction.keyword === 'ARG')
      .flatMap((instruction) => parseAssignments(instruction.args).map(([name]) => name));
    for (const name of appServices) {
      const build = compose.services[name]?.build;
      expect(build?.context, name).toBe('.');
      for (const arg of Object.keys(build?.args ?? {}))
        expect(declared, `${name} passes ${arg}`).toContain(arg);
    }
  });

  test('runs two realtime replicas behind one DNS name', () => {
    expect(compose.services.realtime?.deploy?.replicas).toBe(2);
    expect(compose.services.gateway?.environment?.REALTIME_URLS).toBe('http://realtime:5004');
  });

  test('scales with `--scale realtime=3 --scale messages=2`: no fixed names, no host ports but the gateway', () => {
    const raw = z
      .object({ services: z.record(z.string(), z.record(z.string(), z.unknown())) })
      .parse(parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }));
    for (const [name, spec] of Object.entries(raw.services)) {
      // A fixed container name or host name can be taken by one replica only.
      expect(Object.keys(spec), name).not.toContain('container_name');
      expect(Object.keys(spec), name).not.toContain('hostname');
    }
    // Every upstream by its service name, which resolves to every replica (the gateway resolves all of them).
    for (const [variable, service] of GATEWAY_UPSTREAMS) {
      expect(compose.services.gateway?.environment?.[variable], variable).toMatch(
        new RegExp(`^http://${service}:\\d+$`),
      );
    }
    // The same file with those replicas, run as processes on this host (what the image replay test boots).
    const vars = { JWT_SECRET: 'j', INTERNAL_TOKEN_SECRET: 'i', RABBITMQ_PASSWORD: 'r' };
    const scaled = composeServices(root, vars, { realtime: 3, messages: 2 });
    const count = scaled.reduce((sum, s) => sum + s.replicas, 0);
    const ports = Array.from({ length: count }, (_, i) => 20_000 + i);
    const endpoints = {
      mongoUrl: 'mongodb://m',
      redisUrl: 'redis://r',
      amqpUrl: 'amqp://a',
      databasePrefix: '',
    };
    const instances = localInstances(scaled, { ...endpoints, extra: {} }, ports);
    expect(instances.filter((i) => i.service === 'realtime').map((i) => i.name)).toEqual([
      'realtime-1',
      'realtime-2',
      'realtime-3',
    ]);
    const gateway = instances.find((i) => i.service === 'gateway');
    expect(gateway?.environment.MESSAGES_URL?.split(',')).toHaveLength(2);
    expect(gateway?.environment.REALTIME_URLS?.split(',')).toHaveLength(3);
    expect(new Set(instances.map((i) => i.port)).size).toBe(instances.length);
  });

  test('takes secrets from .env and documents every variable it reads in .env.example', () => {
    const raw = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
    const example = readFileSync(path.join(root, '.env.example'), 'utf8');
    const variables = new Set([...raw.matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]));
    for (const secret of ['JWT_SECRET', 'INTERNAL_TOKEN_SECRET', 'RABBITMQ_PASSWORD']) {
      expect(raw).toContain(`\${${secret}:?`);
    }
    for (const variable of variables) {
      expect(example, `${variable} in .env.example`).toMatch(new RegExp(`^#?\\s*${variable}=`, 'm'));
    }
  });

  test('.env.example documents every variable any service reads', () => {
    const example = readFileSync(path.join(root, '.env.example'), 'utf8');
    const services = readdirSync(path.join(root, 'services'));
    for (const service of services) {
      const config = readFileSync(path.join(root, 'services', service, 'src', 'config.ts'), 'utf8');
      const keys = [...config.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]);
      expect(keys.length, service).toBeGreaterThan(3);
      for (const key of keys) {
        expect(example, `${service} reads ${key}`).toMatch(new RegExp(`\\b${key}\\b`));
      }
    }
  });
});
