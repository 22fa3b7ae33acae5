import { createHttpService, createServiceApp } from '@chat/shared/http';
import { describe, expect, test } from 'vitest';
import { captureLogger } from './http-helpers.js';

describe('createServiceApp', () => {
  test('start listens; stop stops HTTP first, then closes every resource newest first', async () => {
    const { logger } = captureLogger('svc');
    const events: string[] = [];
    const app = createServiceApp({
      name: 'svc',
      logger,
      config: { PORT: 0, HOST: '127.0.0.1' },
      async build({ onClose }) {
        onClose(async () => events.push('close connection'));
        onClose(async () => events.push('close consumer'));
        const http = createHttpService({ name: 'svc', logger, routes: () => {} });
        onClose(async () => events.push(`http listening: ${http.server.listening}`));
        return http;
      },
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
    const app = createServiceApp({
      name: 'svc',
      logger,
      config: { PORT: 0 },
      async build({ onClose }) {
        onClose(async () => closed.push('mongo'));
        onClose(async () => {
          throw new Error('redis quit failed');
        });
        throw new Error('broker setup failed');
      },
    });
    await expect(app.start()).rejects.toThrow('broker setup failed');
    expect(closed).toEqual(['mongo']);
    expect(lines.some((l) => l.msg === 'close failed')).toBe(true);
  });
});
