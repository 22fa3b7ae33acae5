import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deleteBrokerNamespace } from '@chat/shared/messaging';
import { TEST_SECRETS, testEnv, uniqueName, waitFor } from '@chat/shared/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { freePort, freePortRange } from '../src/ports.js';
import { type ServiceProcess, stopService, waitUntilReady } from '../src/service-process.js';
import { sendMessage, signUp } from './support/browser.js';
import { type ChatSocket, connectChat, deliveryOf } from './support/chat-socket.js';
import { type ComposeService, composeServices, localInstances } from './support/compose-env.js';
import { DockerContext } from './support/docker-context.js';
import { parseDockerfile } from './support/dockerfile.js';
import { type ReplayedStage, replayDockerfile } from './support/dockerfile-replay.js';
import {
  installedPackages,
  productionTree,
  runHealthcheck,
  startFromImage,
  workdirOf,
} from './support/image-run.js';
import { repoRoot } from './support/processes.js';

// No Docker engine runs here: the Dockerfile is replayed on the host (support/dockerfile-replay.ts), then every
// compose service boots from its image's files. `npm run test:docker`; DOCKERFILE_UNDER_TEST=<path> replays
// another Dockerfile (e.g. an older one, to see it fail).
const dockerfile = process.env.DOCKERFILE_UNDER_TEST ?? path.join(repoRoot, 'Dockerfile');
const gatewayPort = await freePort();
const composeVars = {
  JWT_SECRET: TEST_SECRETS.jwt,
  INTERNAL_TOKEN_SECRET: TEST_SECRETS.internal,
  RABBITMQ_PASSWORD: 'unused-here',
  LOG_LEVEL: 'warn',
  BCRYPT_COST: '10',
  CORS_ORIGINS: `http://localhost:${gatewayPort}`,
};
// As `docker compose up --scale realtime=3 --scale messages=2`: the gateway finds every replica by its name.
const services: ComposeService[] = composeServices(repoRoot, composeVars, { realtime: 3, messages: 2 });
const imageNames = [...new Set(services.map((s) => s.service))];
const images = new Map<string, ReplayedStage>();
let workDir = '';
let build: ReplayedStage | undefined;

const image = (name: string): ReplayedStage => {
  const found = images.get(name);
  if (!found) throw new Error(`no replayed image for ${name}`);
  return found;
};

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'docker-replay-'));
  const stages = parseDockerfile(readFileSync(dockerfile, 'utf8'));
  const cache = new Map<string, ReplayedStage>();
  const context = new DockerContext(repoRoot);
  for (const name of imageNames) {
    images.set(
      name,
      await replayDockerfile(stages, { context, workDir, buildArgs: { SERVICE: name }, cache }),
    );
  }
  build = [...cache.values()].find((stage) => stage.name === 'build');
  const timings = [...cache.values()].map((s) => `${s.label} ${(s.ms / 1000).toFixed(1)} s`);
  console.info(`replayed ${dockerfile}: ${timings.join(', ')}`);
}, 900_000);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('the Dockerfile, replayed without an engine', () => {
  test('the build stage compiles every service and no test or bench workspace', () => {
    if (!build) throw new Error('the Dockerfile has no stage named build');
    const app = workdirOf(build);
    for (const name of imageNames)
      expect(existsSync(path.join(app, 'services', name, 'dist/start.js')), name).toBe(true);
    for (const other of ['tests/faults/dist', 'tools/bench/dist', 'tools/stack/dist']) {
      expect(existsSync(path.join(app, other)), other).toBe(false);
    }
  });

  test.each(imageNames)(
    'the %s image holds its service, the shared library and production dependencies only',
    async (name) => {
      const app = workdirOf(image(name));
      const top = (await readdir(app)).sort();
      expect(top).toEqual(
        ['libs', 'node_modules', 'package.json', 'services', ...(name === 'gateway' ? ['web'] : [])].sort(),
      );
      expect(await readdir(path.join(app, 'services'))).toEqual([name]);
      expect(await readdir(path.join(app, 'libs'))).toEqual(['shared']);
      for (const workspace of [`services/${name}`, 'libs/shared']) {
        expect((await readdir(path.join(app, workspace))).sort(), workspace).toEqual([
          'dist',
          'package.json',
        ]);
      }
      expect(await readdir(path.join(app, 'libs/shared/dist'))).not.toContain('testing');

      const tree = await productionTree(app);
      expect(tree.report, 'npm ls --omit=dev').toBe('');
      const wanted = new Set(await Promise.all(tree.paths.map((p) => realpath(p))));
      const unwanted = [...(await installedPackages(path.join(app, 'node_modules')))].filter(
        (p) => !wanted.has(p),
      );
      expect(
        unwanted.map((p) => path.relative(app, p)),
        'installed, yet no production dependency',
      ).toEqual([]);
      for (const tool of ['typescript', 'vitest', 'vite', '@biomejs/biome']) {
        expect(existsSync(path.join(app, 'node_modules', tool)), tool).toBe(false);
      }
    },
  );

  test('only the gateway image carries the browser client, built when the repository has one', () => {
    const client = path.join(workdirOf(image('gateway')), 'web/dist');
    expect(existsSync(client)).toBe(true);
    const hasClient = existsSync(path.join(repoRoot, 'web/index.html'));
    expect(existsSync(path.join(client, 'index.html'))).toBe(hasClient);
  });

  test.each(imageNames)('the %s image runs as an unprivileged user in production mode', (name) => {
    const replayed = image(name);
    expect(replayed.user).toBeTruthy();
    expect(['root', '0', '0:0']).not.toContain(replayed.user);
    expect(replayed.env).toMatchObject({ NODE_ENV: 'production', SERVICE: name });
    expect(replayed.cmd).toBeDefined();
  });
});

describe('docker-compose.yml on the replayed images', () => {
  const id = uniqueName('test-docker');
  const logs: string[] = [];
  const running: ServiceProcess[] = [];
  const sockets: ChatSocket[] = [];

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => console.error(`--- service log (${logs.length} lines) ---\n${logs.join('\n')}`));
  });

  afterAll(async () => {
    for (const chat of sockets) chat.close();
    for (const service of running.reverse()) await stopService(service);
    await deleteBrokerNamespace(testEnv().amqpUrl, id);
  });

  test('every service boots with the compose environment, passes its healthcheck, and the chat works live', async () => {
    const replicas = services.reduce((sum, s) => sum + s.replicas, 0);
    const first = await freePortRange(replicas - 1);
    const others = Array.from({ length: replicas - 1 }, (_, i) => first + i);
    const ordered = [...services].sort((a, b) => Number(a.name !== 'gateway') - Number(b.name !== 'gateway'));
    const instances = localInstances(
      ordered,
      {
        ...testEnv(),
        databasePrefix: `${id}-`,
        extra: {
          AMQP_NAMESPACE: id,
          RATE_LIMIT_NAMESPACE: id,
        },
      },
      [gatewayPort, ...others],
    );

    // Like depends_on: the backends first, the gateway once they are ready.
    const start = async (list: typeof instances) => {
      const started = list.map((instance) =>
        startFromImage(image(instance.service), instance, (l) => logs.push(l)),
      );
      running.push(...started);
      await Promise.all(started.map((s) => waitUntilReady(s, 60_000)));
    };
    await start(instances.filter((i) => i.service !== 'gateway'));
    await start(instances.filter((i) => i.service === 'gateway'));
    for (const instance of instances) {
      const check = services.find((s) => instance.name.startsWith(s.name))?.healthcheck ?? [];
      expect(await runHealthcheck(image(instance.service), instance, check), instance.name).toBe(0);
    }

    const url = `http://localhost:${gatewayPort}`;
    const alice = await signUp(url, 'docker-a');
    const bob = await signUp(url, 'docker-b');
    sockets.push(await connectChat(url, alice), await connectChat(url, bob));
    const [aliceChat, bobChat] = sockets as [ChatSocket, ChatSocket];
    const sent = await sendMessage(url, alice, bob, 'hello from the image');
    await waitFor(() => bobChat.newMessages.some((m) => m._id === sent._id), {
      message: 'bob got no newMessage',
    });
    await waitFor(() => deliveryOf(aliceChat, sent) === 'delivered', { message: 'alice got no delivery' });
  }, 180_000);
});
