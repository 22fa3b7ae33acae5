import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { correlatedLogger, createLogger } from '../src/logger/index.js';

function captureLogger(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ service: 'logger-test', level, destination }), lines };
}

describe('createLogger', () => {
  test('writes JSON lines carrying the service name and level', () => {
    const { logger, lines } = captureLogger();
    logger.info({ messageId: 'm1' }, 'message stored');
    logger.debug('below the level');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      service: 'logger-test',
      level: 30,
      messageId: 'm1',
      msg: 'message stored',
    });
  });

  test('redacts cookies, authorization, internal tokens, passwords and tokens', () => {
    const { logger, lines } = captureLogger();
    logger.info(
      {
        req: {
          headers: { cookie: 'jwt=abc', authorization: 'Bearer abc', 'x-internal-token': 'itok', host: 'h' },
        },
        password: 'hunter2',
        token: 'tok',
        body: { password: 'pw', username: 'alice' },
      },
      'request',
    );
    const serialized = JSON.stringify(lines[0]);
    for (const secretValue of ['jwt=abc', 'Bearer abc', 'itok', 'hunter2', '"tok"', '"pw"']) {
      expect(serialized).not.toContain(secretValue);
    }
    expect(lines[0]).toMatchObject({
      req: {
        headers: {
          cookie: '[redacted]',
          authorization: '[redacted]',
          'x-internal-token': '[redacted]',
          host: 'h',
        },
      },
      password: '[redacted]',
      token: '[redacted]',
      body: { password: '[redacted]', username: 'alice' },
    });
  });
});

describe('correlatedLogger', () => {
  test('puts the correlation id on every line of the child, and on none of the parent', async () => {
    const { logger, lines } = captureLogger();
    const correlated = correlatedLogger(logger, 'corr-1');
    logger.info('outside');
    await new Promise((resolve) => setImmediate(resolve));
    correlated.info({ messageId: 'm1' }, 'inside');
    expect(lines[0]).not.toHaveProperty('correlationId');
    expect(lines[1]).toMatchObject({
      service: 'logger-test',
      msg: 'inside',
      messageId: 'm1',
      correlationId: 'corr-1',
    });
  });

  test('without an id it is the logger itself, adding nothing', () => {
    const { logger, lines } = captureLogger();
    expect(correlatedLogger(logger, undefined)).toBe(logger);
    correlatedLogger(logger, undefined).info('plain');
    expect(lines[0]).not.toHaveProperty('correlationId');
  });
});
