import { randomBytes } from 'node:crypto';
import { deleteBrokerNamespace } from '@chat/shared/messaging';
import { testEnv, waitFor } from '@chat/shared/testing';
import { afterEach, describe, expect, test } from 'vitest';
import { freePort, freePortRange } from '../src/ports.js';
import { childPidsOf, isRunning, type RunningCommand, runNode } from './support/processes.js';

const cli = 'tools/stack/dist/cli.js';
const running: RunningCommand[] = [];
const namespaces: string[] = [];

function start(env: Record<string, string | undefined>): RunningCommand {
  const id = randomBytes(4).toString('hex');
  namespaces.push(`test-cli-${id}`);
  const command = runNode(cli, {
    AMQP_NAMESPACE: `test-cli-${id}`,
    RATE_LIMIT_NAMESPACE: `test-cli-${id}`,
    MONGO_DB_PREFIX: `test-cli-${id}-`,
    LOG_LEVEL: 'warn',
    BCRYPT_COST: '10',
    ...env,
  });
  running.push(command);
  return command;
}

// A failed assertion must not leave a stack behind: the CLI stops its services on SIGTERM.
afterEach(async () => {
  for (const command of running.splice(0)) {
    if (command.child.exitCode === null && command.child.signalCode === null) {
      command.child.kill('SIGTERM');
      await command.exited;
    }
  }
  for (const namespace of namespaces.splice(0)) await deleteBrokerNamespace(testEnv().amqpUrl, namespace);
});

describe('npm start (tools/stack/dist/cli.js)', () => {
  test('without Redis it prints one line naming Redis and exits non-zero at once', async () => {
    const startedAt = Date.now();
    const command = start({
      PORT: String(await freePortRange(7)),
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      AMQP_URL: testEnv().amqpUrl,
      MONGO_URL: testEnv().mongoUrl,
    });

    const code = await command.exited;

    expect(code).not.toBe(0);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    const output = command.lines.filter((line) => line.trim() !== '');
    expect(output).toHaveLength(1);
    expect(output[0]).toMatch(/Redis/);
  });

  test('with everything reachable it says where the chat runs, and SIGTERM stops every service with exit 0', async () => {
    const port = await freePortRange(7);
    const command = start({
      PORT: String(port),
      REDIS_URL: testEnv().redisUrl,
      AMQP_URL: testEnv().amqpUrl,
      MONGO_URL: testEnv().mongoUrl,
    });
    const url = `http://localhost:${port}`;

    await waitFor(
      () => command.lines.includes(`Chat is running at ${url}`) || command.child.exitCode !== null,
      {
        timeoutMs: 60_000,
        intervalMs: 100,
        message: 'the CLI never said the chat is running',
      },
    );
    expect(command.lines, command.lines.join('\n')).toContain(`Chat is running at ${url}`);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    // auth, users, messages, two realtime nodes and the gateway.
    const services = childPidsOf(command.child.pid ?? -1);
    expect(services).toHaveLength(6);

    command.child.kill('SIGTERM');

    expect(await command.exited).toBe(0);
    expect(services.filter(isRunning)).toEqual([]);
  }, 90_000);
});
