import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { GATEWAY_UPSTREAMS } from './support/gateway-upstreams.js';
import {
  type ContainerShape,
  type DeploymentShape,
  deploymentSchema,
  type K8sObject,
  renderKustomization,
  validateBuiltIn,
} from './support/k8s-manifests.js';
import { repoRoot } from './support/processes.js';

// deploy/k8s rendered by `kubectl kustomize` (the base and the production overlay), every built-in object
// validated against the Kubernetes schemas (kubernetes-models), then the rules the chat relies on.
const k8sDir = path.join(repoRoot, 'deploy/k8s');
const base = renderKustomization(path.join(k8sDir, 'base'));
const production = renderKustomization(path.join(k8sDir, 'overlays/production'));
const services = ['gateway', 'auth', 'users', 'messages', 'realtime'];
const servicePorts: Record<string, number> = {
  gateway: 5000,
  auth: 5001,
  users: 5002,
  messages: 5003,
  realtime: 5004,
};

// The operators' custom resources, by the fields the app depends on.
const operatorResources = {
  'mongodbcommunity.mongodb.com/v1/MongoDBCommunity': z.object({
    spec: z.object({
      type: z.literal('ReplicaSet'),
      members: z.number().min(3),
      version: z.string(),
      users: z.array(
        z.object({
          name: z.string(),
          db: z.string(),
          passwordSecretRef: z.object({ name: z.string() }),
          roles: z.array(z.object({ name: z.string(), db: z.string() })).min(1),
          scramCredentialsSecretName: z.string(),
          connectionStringSecretName: z.string(),
        }),
      ),
    }),
  }),
  'rabbitmq.com/v1beta1/RabbitmqCluster': z.object({
    spec: z.object({ replicas: z.number().min(3), persistence: z.object({ storage: z.string() }) }),
  }),
  'redis.redis.opstreelabs.in/v1beta2/Redis': z.object({
    spec: z.object({
      kubernetesConfig: z.object({
        image: z.string(),
        redisSecret: z.object({ name: z.string(), key: z.string() }),
      }),
      storage: z.object({ volumeClaimTemplate: z.object({}).loose() }),
    }),
  }),
};

const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const named = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const deployments = (objects: K8sObject[]): DeploymentShape[] =>
  ofKind(objects, 'Deployment').map((d) => deploymentSchema.parse(d));
const containerOf = (d: DeploymentShape): ContainerShape => {
  const [container] = d.spec.template.spec.containers;
  if (!container) throw new Error(`${d.metadata.name} has no container`);
  return container;
};
const envOf = (c: ContainerShape, name: string) => c.env.find((e) => e.name === name);

// Every variable a service's config.ts reads (the only place a service reads its environment).
const configKeys = (service: string): string[] => {
  const config = readFileSync(path.join(repoRoot, 'services', service, 'src/config.ts'), 'utf8');
  return [...config.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1] ?? '');
};

describe.each([
  ['base', base],
  ['production', production],
])('deploy/k8s %s', (_label, objects) => {
  test('every built-in object is valid against its Kubernetes schema, every other one is an operator resource', () => {
    for (const object of objects) {
      const id = `${object.apiVersion}/${object.kind}`;
      if (validateBuiltIn(object)) continue;
      const schema = operatorResources[id as keyof typeof operatorResources];
      expect(
        schema,
        `${id} ${object.metadata.name} is neither built in nor an operator resource`,
      ).toBeDefined();
      schema?.parse(object);
    }
  });

  test('runs the five services, each from its own image, with probes on the ports that serve them', () => {
    const all = deployments(objects);
    expect(all.map((d) => d.metadata.name).sort()).toEqual([...services].sort());
    for (const d of all) {
      const name = d.metadata.name;
      const c = containerOf(d);
      expect(c.image, name).toMatch(new RegExp(`(^chat-|/)${name}(:[\\w.-]+)?$`));
      expect(envOf(c, 'PORT')?.value, name).toBe(String(servicePorts[name]));
      const http = c.ports.find((p) => p.name === 'http');
      expect(http?.containerPort, name).toBe(servicePorts[name]);
      expect(c.readinessProbe.httpGet, name).toEqual({ path: '/readyz', port: 'http' });
      expect(c.livenessProbe.httpGet, name).toEqual({ path: '/healthz', port: 'http' });
    }
  });

  test('every pod runs as a non-root user, read-only, without privileges, writing only to an emptyDir', () => {
    for (const d of deployments(objects)) {
      const pod = d.spec.template.spec;
      const c = containerOf(d);
      expect(pod.securityContext.runAsUser, d.metadata.name).toBeGreaterThan(0);
      expect(c.securityContext.capabilities.drop, d.metadata.name).toEqual(['ALL']);
      for (const mount of c.volumeMounts) {
        const volume = pod.volumes.find((v) => v.name === mount.name);
        expect(volume?.emptyDir, `${d.metadata.name} ${mount.mountPath}`).toBeDefined();
      }
    }
  });

  test('every container has requests and limits, and a Node heap that fits its memory limit', () => {
    const mebibytes = (q: string | number) => {
      const m = /^(\d+)(Mi|Gi)$/.exec(String(q));
      if (!m) throw new Error(`unexpected memory quantity ${q}`);
      return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
    };
    for (const d of deployments(objects)) {
      const c = containerOf(d);
      const limit = mebibytes(c.resources.limits.memory);
      expect(mebibytes(c.resources.requests.memory), d.metadata.name).toBeLessThanOrEqual(limit);
      const heap = Number(/--max-old-space-size=(\d+)/.exec(envOf(c, 'NODE_OPTIONS')?.value ?? '')?.[1]);
      expect(heap, d.metadata.name).toBeGreaterThan(0);
      expect(heap, d.metadata.name).toBeLessThanOrEqual(limit * 0.8);
    }
  });

  test('a stopping pod waits for its endpoints to go, then has time for its graceful stop', () => {
    // installShutdown (libs/shared/src/http/shutdown.ts) gives a service's stop() at most 10 s.
    const serviceStopSeconds = 10;
    for (const d of deployments(objects)) {
      const c = containerOf(d);
      const [cmd, seconds] = c.lifecycle.preStop.exec.command;
      expect(cmd, d.metadata.name).toBe('sleep');
      expect(Number(seconds), d.metadata.name).toBeGreaterThanOrEqual(3);
      expect(d.spec.template.spec.terminationGracePeriodSeconds, d.metadata.name).toBeGreaterThan(
        Number(seconds) + serviceStopSeconds,
      );
    }
  });

  test('secrets are referenced, never inlined, and every variable set is one the service reads', () => {
    expect(ofKind(objects, 'Secret')).toEqual([]);
    // Only for composing a URL from a Secret, through $(VAR).
    const helpers = new Set(['NODE_OPTIONS', 'RABBITMQ_USERNAME', 'RABBITMQ_PASSWORD', 'REDIS_PASSWORD']);
    for (const d of deployments(objects)) {
      const c = containerOf(d);
      const reads = new Set(configKeys(d.metadata.name));
      for (const e of c.env) {
        expect(reads.has(e.name) || helpers.has(e.name), `${d.metadata.name} sets ${e.name}`).toBe(true);
        if (/SECRET|PASSWORD|USERNAME|MONGO_URL/.test(e.name)) {
          expect(e.valueFrom?.secretKeyRef, `${d.metadata.name} ${e.name}`).toBeDefined();
        }
        // Credentials inside a URL come from a Secret through $(VAR), never as text.
        if (e.value?.includes('@')) expect(e.value, `${d.metadata.name} ${e.name}`).toMatch(/\/\/[^@]*\$\(/);
      }
      for (const required of ['JWT_SECRET', 'INTERNAL_TOKEN_SECRET', 'MONGO_URL', 'REDIS_URL', 'AMQP_URL']) {
        if (reads.has(required)) expect(envOf(c, required), `${d.metadata.name} ${required}`).toBeDefined();
      }
    }
    for (const config of ofKind(objects, 'ConfigMap')) {
      const data = z.object({ data: z.record(z.string(), z.string()) }).parse(config).data;
      for (const key of Object.keys(data)) expect(key, 'a ConfigMap key').not.toMatch(/SECRET|PASSWORD/);
    }
  });

  test('the gateway reaches each service by a Service on its port, and every realtime pod through a headless one', () => {
    const gateway = containerOf(deploymentSchema.parse(named(objects, 'Deployment', 'gateway')));
    for (const [variable, service] of GATEWAY_UPSTREAMS) {
      const url = new URL(envOf(gateway, variable)?.value ?? '');
      expect(url.hostname, variable).toBe(service);
      const spec = z
        .object({
          spec: z.object({
            clusterIP: z.string().optional(),
            ports: z.array(z.object({ port: z.number() })),
          }),
        })
        .parse(named(objects, 'Service', service)).spec;
      expect(
        spec.ports.map((p) => p.port),
        variable,
      ).toContain(Number(url.port));
      // Headless: DNS answers every ready pod, and the gateway spreads the load over them itself.
      expect(spec.clusterIP, service).toBe('None');
    }
  });

  test('only the gateway is exposed: one Ingress to it, no node ports or load balancers, ingress denied by default', () => {
    for (const service of ofKind(objects, 'Service')) {
      const type = z.object({ spec: z.object({ type: z.string().optional() }) }).parse(service).spec.type;
      expect(type ?? 'ClusterIP', service.metadata.name).toBe('ClusterIP');
    }
    const ingresses = ofKind(objects, 'Ingress');
    expect(ingresses).toHaveLength(1);
    const backends = JSON.stringify(ingresses[0]).match(/"service":\{"name":"[^"]+"/g) ?? [];
    expect(new Set(backends)).toEqual(new Set(['"service":{"name":"gateway"']));
    const annotations = z
      .object({ metadata: z.object({ annotations: z.record(z.string(), z.string()) }) })
      .parse(ingresses[0]).metadata.annotations;
    // Far longer than Socket.IO's 25 s ping interval, or idle WebSockets are cut.
    for (const key of ['proxy-read-timeout', 'proxy-send-timeout']) {
      expect(Number(annotations[`nginx.ingress.kubernetes.io/${key}`]), key).toBeGreaterThanOrEqual(300);
    }

    const policy = z.object({
      metadata: z.object({ name: z.string() }),
      spec: z.object({
        podSelector: z.object({
          matchLabels: z.record(z.string(), z.string()).optional(),
          matchExpressions: z.array(z.object({ key: z.string(), values: z.array(z.string()) })).optional(),
        }),
        ingress: z.array(z.object({ from: z.array(z.looseObject({})) })).optional(),
      }),
    });
    const policies = ofKind(objects, 'NetworkPolicy').map((p) => policy.parse(p));
    const defaultDeny = policies.find((p) => p.spec.ingress === undefined);
    expect(defaultDeny?.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/part-of': 'chat' });
    for (const d of deployments(objects)) {
      expect(d.spec.template.metadata.labels['app.kubernetes.io/part-of'], d.metadata.name).toBe('chat');
    }
    // From other namespaces (monitoring aside): the Ingress controller to the gateway, operators to their pods.
    const fromOutside = (p: (typeof policies)[number]) =>
      (p.spec.ingress ?? []).flatMap((rule) =>
        rule.from
          .map((peer) => JSON.stringify(peer))
          .filter((peer) => peer.includes('namespaceSelector') && !peer.includes('"monitoring"')),
      );
    const targetsApp = (p: (typeof policies)[number]) => {
      const labels = p.spec.podSelector;
      const names = [
        labels.matchLabels?.['app.kubernetes.io/name'],
        ...(labels.matchExpressions ?? []).flatMap((e) => e.values),
      ];
      return names.some((n) => n !== undefined && services.includes(n));
    };
    const appOpenings = policies.filter((p) => targetsApp(p) && fromOutside(p).length > 0);
    expect(appOpenings.map((p) => p.spec.podSelector.matchLabels)).toEqual([
      { 'app.kubernetes.io/name': 'gateway' },
    ]);
    expect(appOpenings.flatMap(fromOutside)).toEqual([expect.stringContaining('"ingress-nginx"')]);
    for (const p of policies.filter((p) => !targetsApp(p) && p !== defaultDeny)) {
      for (const peer of fromOutside(p))
        expect(peer, p.metadata.name).toMatch(/"(mongodb|rabbitmq-system|ot-operators)"/);
    }
  });

  test('every service has a disruption budget; the gateway and realtime autoscale', () => {
    for (const name of services) {
      const pdb = z
        .object({ spec: z.object({ selector: z.object({ matchLabels: z.record(z.string(), z.string()) }) }) })
        .parse(named(objects, 'PodDisruptionBudget', name));
      expect(pdb.spec.selector.matchLabels, name).toEqual({ 'app.kubernetes.io/name': name });
    }
    const hpas = ofKind(objects, 'HorizontalPodAutoscaler').map((h) =>
      z
        .object({
          spec: z.object({
            scaleTargetRef: z.object({ kind: z.literal('Deployment'), name: z.string() }),
            minReplicas: z.number(),
            maxReplicas: z.number(),
          }),
        })
        .parse(h),
    );
    expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(['gateway', 'realtime']);
    for (const h of hpas) {
      expect(h.spec.minReplicas, h.spec.scaleTargetRef.name).toBeGreaterThanOrEqual(2);
      expect(h.spec.maxReplicas).toBeGreaterThan(h.spec.minReplicas);
    }
  });
});

describe('deploy/k8s production overlay', () => {
  test('runs in its own namespace, on registry images, with MongoDB, RabbitMQ and Redis from their operators', () => {
    for (const object of production.filter((o) => o.kind !== 'Namespace')) {
      expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe('chat');
    }
    for (const d of deployments(production)) {
      expect(containerOf(d).image, d.metadata.name).toMatch(/^[\w.-]+\/[\w/-]+:[\w.-]+$/);
    }
    expect(production.map((o) => o.kind)).toEqual(
      expect.arrayContaining(['MongoDBCommunity', 'RabbitmqCluster', 'Redis']),
    );
  });

  test('every Secret a service reads is one an operator writes or one the README says to create', () => {
    const readme = readFileSync(path.join(k8sDir, 'README.md'), 'utf8');
    const mongo = operatorResources['mongodbcommunity.mongodb.com/v1/MongoDBCommunity'].parse(
      named(production, 'MongoDBCommunity', 'chat-mongodb'),
    );
    const written = new Set([
      ...mongo.spec.users.map((u) => u.connectionStringSecretName),
      `${named(production, 'RabbitmqCluster', 'chat-rabbitmq').metadata.name}-default-user`,
    ]);
    const toCreate = [
      ...mongo.spec.users.map((u) => u.passwordSecretRef.name),
      operatorResources['redis.redis.opstreelabs.in/v1beta2/Redis'].parse(
        named(production, 'Redis', 'chat-redis'),
      ).spec.kubernetesConfig.redisSecret.name,
    ];
    for (const d of deployments(production)) {
      for (const e of containerOf(d).env) {
        const ref = e.valueFrom?.secretKeyRef;
        if (!ref) continue;
        if (written.has(ref.name)) continue;
        toCreate.push(ref.name);
      }
    }
    for (const name of new Set(toCreate)) expect(readme, `README creates ${name}`).toContain(name);
    // Each service's MongoDB user may use its own database only.
    for (const user of mongo.spec.users)
      expect(user.roles, user.name).toEqual([{ name: 'readWrite', db: user.name }]);
  });
});
