import { request } from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, test } from 'vitest';
import { createHttpService } from '../src/http/index.js';
import { captureLogger } from './http-helpers.js';

describe('HttpService.stop', () => {
  test('lets the in-flight request finish, refuses new ones, then runs onStop in order', async () => {
    const { logger } = captureLogger('http-stop-test');
    const closed: string[] = [];
    let release: () => void = () => {};
    let entered: () => void = () => {};
    const requestEntered = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const service = createHttpService({
      name: 'http-stop-test',
      logger,
      routes: (app) => {
        app.get('/slow', async (_req, res) => {
          entered();
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          res.json({ done: true });
        });
      },
      onStop: [
        async () => {
          closed.push('first');
        },
        async () => {
          closed.push('second');
        },
      ],
    });
    const { url } = await service.start(0);
    await fetch(`${url}/healthz`); // leaves an idle keep-alive connection behind

    const inFlight = fetch(`${url}/slow`);
    await requestEntered;
    const stopped = service.stop();
    expect(closed).toEqual([]);
    release();

    const res = await inFlight;
    expect(await res.json()).toEqual({ done: true });
    await stopped;
    expect(closed).toEqual(['first', 'second']);
    expect(service.server.listening).toBe(false);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    await expect(service.stop()).resolves.toBeUndefined();
  });

  test('cuts connections still busy after the grace period', async () => {
    const { logger } = captureLogger('http-grace-test');
    let entered: () => void = () => {};
    const requestEntered = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const service = createHttpService({
      name: 'http-grace-test',
      logger,
      gracePeriodMs: 100,
      routes: (app) => {
        app.get('/hang', () => {
          entered();
        });
      },
    });
    const { url } = await service.start(0);
    const hanging = fetch(`${url}/hang`);
    await requestEntered;
    await service.stop();
    await expect(hanging).rejects.toThrow();
  });

  test('also closes upgraded (WebSocket-like) sockets after the grace period', async () => {
    const { logger } = captureLogger('http-upgrade-test');
    const service = createHttpService({
      name: 'http-upgrade-test',
      logger,
      gracePeriodMs: 100,
      routes: () => {},
    });
    service.server.on('upgrade', (_req, socket: Socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n');
    });
    const { port } = await service.start(0, '127.0.0.1');
    const client = await new Promise<Socket>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, headers: { connection: 'Upgrade', upgrade: 'test' } });
      req.once('upgrade', (_res, socket: Socket) => resolve(socket));
      req.once('error', reject);
      req.end();
    });
    const clientClosed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await service.stop();
    await clientClosed;
    expect(client.destroyed).toBe(true);
  });
});
