import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { createLogger, currentCorrelationId, withCorrelationId } from '../src/logger/index.js';

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

  test('adds the bound correlation id, also across await', async () => {
    const { logger, lines } = captureLogger();
    logger.info('outside');
    await withCorrelationId('corr-1', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      logger.info('inside');
    });
    expect(lines[0]).not.toHaveProperty('correlationId');
    expect(lines[1]).toMatchObject({ msg: 'inside', correlationId: 'corr-1' });
  });
});

describe('withCorrelationId', () => {
  test('returns the function result and scopes the id to it', () => {
    expect(currentCorrelationId()).toBeUndefined();
    const result = withCorrelationId('outer', () => [
      currentCorrelationId(),
      withCorrelationId('inner', currentCorrelationId),
    ]);
    expect(result).toEqual(['outer', 'inner']);
    expect(currentCorrelationId()).toBeUndefined();
  });
});
