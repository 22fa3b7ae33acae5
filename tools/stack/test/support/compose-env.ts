import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const composeSchema = z.object({
  services: z.record(
    z.string(),
    z.object({
      build: z.object({ args: z.record(z.string(), z.string()).optional() }).optional(),
      environment: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
      deploy: z.object({ replicas: z.number() }).optional(),
      healthcheck: z.object({ test: z.array(z.string()) }).optional(),
    }),
  ),
});

export interface ComposeService {
  name: string;
  /** The SERVICE build argument, i.e. which image it runs. */
  service: string;
  replicas: number;
  /** The environment with `${VAR…}` resolved from the given variables (what `.env` holds). */
  environment: Record<string, string>;
  healthcheck: string[] | undefined;
}

/** `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}` and `${VAR?error}` as compose reads them. */
export function interpolate(text: string, vars: Record<string, string>): string {
  return text.replace(
    /\$\{(\w+)(?:(:?)([-?])([^}]*))?\}/g,
    (_, name: string, colon, kind, operand: string) => {
      const value = vars[name];
      const missing = value === undefined || (colon === ':' && value === '');
      if (!missing) return value;
      if (kind === '?') throw new Error(`compose needs ${name}: ${operand}`);
      return kind === '-' ? operand : '';
    },
  );
}

/**
 * The services docker-compose.yml builds from the Dockerfile, their environments resolved; `scale` is what
 * `docker compose up --scale name=N` overrides.
 */
export function composeServices(
  root: string,
  vars: Record<string, string>,
  scale: Record<string, number> = {},
): ComposeService[] {
  const raw = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
  const compose = composeSchema.parse(raw);
  return Object.entries(compose.services).flatMap(([name, spec]) => {
    const service = spec.build?.args?.SERVICE;
    if (!service) return [];
    const environment = Object.fromEntries(
      Object.entries(spec.environment ?? {}).map(([key, value]) => [key, interpolate(String(value), vars)]),
    );
    return [
      {
        name,
        service,
        replicas: scale[name] ?? spec.deploy?.replicas ?? 1,
        environment,
        healthcheck: spec.healthcheck?.test,
      },
    ];
  });
}

export interface LocalInstance {
  /** `realtime-2` for the second replica. */
  name: string;
  service: string;
  port: number;
  environment: Record<string, string>;
}

export interface LocalEndpoints {
  mongoUrl: string;
  redisUrl: string;
  amqpUrl: string;
  /** Prefix of the database names (MONGO_DB), so runs sharing a MongoDB stay apart. */
  databasePrefix: string;
  /** Extra variables for every instance (namespaces…). */
  extra: Record<string, string>;
}

/**
 * Every replica of every compose service as it would run on this host: the infrastructure URLs point to
 * the test's servers, each container's `name:port` becomes `127.0.0.1:<its port>` (a name with replicas
 * becomes the list of its replicas), and each instance listens on 127.0.0.1 at a port of `freePorts`.
 */
export function localInstances(
  services: ComposeService[],
  ep: LocalEndpoints,
  freePorts: number[],
): LocalInstance[] {
  const ports = [...freePorts];
  const placed = services.map((s) => ({
    ...s,
    containerPort: s.environment.PORT ?? '',
    hostPorts: Array.from({ length: s.replicas }, () => {
      const port = ports.shift();
      if (port === undefined) throw new Error('not enough free ports');
      return port;
    }),
  }));
  const rewrite = (value: string) =>
    placed.reduce(
      (text, s) =>
        text.replace(new RegExp(`(\\w+://)${s.name}:${s.containerPort}\\b`, 'g'), (_, scheme: string) =>
          s.hostPorts.map((p) => `${scheme}127.0.0.1:${p}`).join(','),
        ),
      value,
    );
  return placed.flatMap((s) =>
    s.hostPorts.map((port, i) => {
      const environment = Object.fromEntries(Object.entries(s.environment).map(([k, v]) => [k, rewrite(v)]));
      Object.assign(environment, ep.extra, {
        HOST: '127.0.0.1',
        PORT: String(port),
        MONGO_URL: ep.mongoUrl,
        REDIS_URL: ep.redisUrl,
        AMQP_URL: ep.amqpUrl,
      });
      if (environment.MONGO_DB) environment.MONGO_DB = `${ep.databasePrefix}${environment.MONGO_DB}`;
      const name = s.replicas > 1 ? `${s.name}-${i + 1}` : s.name;
      return { name, service: s.service, port, environment };
    }),
  );
}
