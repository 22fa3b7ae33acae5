import { createHttpService, createServiceApp, type ServiceAppOptions } from '@chat/shared/http';
import type { Logger } from '@chat/shared/logger';
import { describe, expect, test } from 'vitest';
import { captureLogger } from './http-helpers.js';

type Settings = { PORT: number; HOST: string };

/** A service named svc on a free loopback port, logging into `logger`. */
function svcApp(
  logger: Logger,
  build: ServiceAppOptions<Settings>['build'],
  more: Pick<ServiceAppOptions<Settings>, 'internal'> = {},
) {
  return createServiceApp({ name: 'svc', logger, config: { PORT: 0, HOST: '127.0.0.1' }, build, ...more });
}

describe('createServiceApp', () => {
  test('start listens; stop stops HTTP first, then closes every resource newest first', async () => {
    const { logger } = captureLogger('svc');
    const events: string[] = [];
    const app = svcApp(logger, async ({ onClose }) => {
      onClose(async () => events.push('close connection'));
      onClose(async () => events.push('close consumer'));
      const http = createHttpService({ name: 'svc', logger, routes: () => {} });
      onClose(async () => events.push(`http listening: ${http.server.listening}`));
      return http;
    });
    const { url } = await app.start();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await app.stop();
    expect(events).toEqual(['http listening: false', 'close consumer', 'close connection']);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  test('a start that fails halfway closes exactly what it opened, and a failing close does not stop the rest', async () => {
    const { logger, lines } = captureLogger('svc');
    const closed: string[] = [];
    const app = svcApp(logger, async ({ onClose }) => {
      onClose(async () => closed.push('mongo'));
      onClose(async () => {
        throw new Error('redis quit failed');
      });
      throw new Error('broker setup failed');
    });
    await expect(app.start()).rejects.toThrow('broker setup failed');
    expect(closed).toEqual(['mongo']);
    expect(lines.some((l) => l.msg === 'close failed')).toBe(true);
  });

  test('stop() runs the drain steps in order while HTTP still serves; kill() runs the crash steps instead', async () => {
    const { logger } = captureLogger('svc');
    const events: string[] = [];
    const build = (label: string) =>
      svcApp(logger, async ({ onClose, steps }) => {
        const http = createHttpService({ name: 'svc', logger, routes: () => {} });
        steps.drain(async () => events.push(`${label} drain 1, listening: ${http.server.listening}`));
        steps.drain(async () => events.push(`${label} drain 2`));
        steps.crash(async () => events.push(`${label} crash, listening: ${http.server.listening}`));
        onClose(async () => events.push(`${label} close, listening: ${http.server.listening}`));
        return http;
      });
    const drained = build('stopped');
    await drained.start();
    await Promise.all([drained.stop(), drained.stop()]);
    const crashed = build('killed');
    await crashed.start();
    await crashed.kill();

    expect(events).toEqual([
      'stopped drain 1, listening: true',
      'stopped drain 2',
      'stopped close, listening: false',
      'killed crash, listening: true',
      'killed close, listening: false',
    ]);
  });

  test('a drain step that fails does not keep the rest from closing, and stop() then fails', async () => {
    const { logger, lines } = captureLogger('svc');
    const closed: string[] = [];
    const app = svcApp(logger, async ({ onClose, steps }) => {
      steps.drain(async () => {
        throw new Error('consumer cancel failed');
      });
      steps.drain(async () => closed.push('second drain step'));
      onClose(async () => closed.push('redis'));
      return createHttpService({ name: 'svc', logger, routes: () => {} });
    });
    const { url } = await app.start();
    await expect(app.stop()).rejects.toThrow('svc: drain failed');
    expect(closed).toEqual(['second drain step', 'redis']);
    expect(lines.some((l) => l.msg === 'drain step failed')).toBe(true);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  test("with internal probes, the public port answers a bare /readyz and no /metrics; the operators' port has both", async () => {
    const { logger } = captureLogger('svc');
    const app = svcApp(
      logger,
      async () => {
        return createHttpService({
          name: 'svc',
          logger,
          probes: 'internal',
          readiness: { store: async () => {} },
          routes: () => {},
        });
      },
      { internal: { port: 0, host: '127.0.0.1' } },
    );
    const { url, internalUrl } = await app.start();
    try {
      expect(internalUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready' });
      expect((await fetch(`${url}/metrics`)).status).toBe(404);
      const detailed = (await (await fetch(`${internalUrl}/readyz`)).json()) as { checks?: unknown };
      expect(detailed.checks).toEqual({ store: 'up' });
      expect(await (await fetch(`${internalUrl}/metrics`)).text()).toContain('http_request');
    } finally {
      await app.stop();
    }
  });
});
