import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  dbName,
  host,
  loadConfig,
  logLevel,
  milliseconds,
  nodeEnv,
  originList,
  port,
  secret,
  url,
} from '../src/config/index.js';

const DEV_JWT = 'dev-only-jwt-secret-config-test-0123456789';
const schema = z.object({
  NODE_ENV: nodeEnv,
  LOG_LEVEL: logLevel,
  PORT: port(5001),
  MONGO_URL: url('mongodb://127.0.0.1:27017/auth'),
  JWT_SECRET: secret(DEV_JWT),
  SERVICE_NAME: z.string(),
});

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  test('applies defaults and coerces strings', () => {
    const config = loadConfig(schema, { NODE_ENV: 'development', SERVICE_NAME: 'auth', PORT: '6001' });
    expect(config).toEqual({
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      PORT: 6001,
      MONGO_URL: 'mongodb://127.0.0.1:27017/auth',
      JWT_SECRET: DEV_JWT,
      SERVICE_NAME: 'auth',
    });
  });

  test('accepts port 0 and treats empty variables as unset', () => {
    const config = loadConfig(schema, { NODE_ENV: 'test', SERVICE_NAME: 'x', PORT: '0', MONGO_URL: '' });
    expect(config.PORT).toBe(0);
    expect(config.MONGO_URL).toBe('mongodb://127.0.0.1:27017/auth');
  });

  test('lists every bad variable with a readable reason in one error', () => {
    const err = configError(() =>
      loadConfig(schema, { PORT: 'abc', LOG_LEVEL: 'loud', MONGO_URL: 'not a url', JWT_SECRET: 'short' }),
    );
    expect(err.issues).toEqual([
      'LOG_LEVEL: expected one of: fatal, error, warn, info, debug, trace, silent',
      'PORT: expected a number',
      'MONGO_URL: must be a URL like scheme://host',
      'JWT_SECRET: must be at least 32 characters',
      'SERVICE_NAME: required',
    ]);
    expect(err.message).toMatch(
      /^Invalid configuration: LOG_LEVEL: .*; PORT: expected a number; .*SERVICE_NAME/,
    );
  });

  test('rejects an out-of-range port', () => {
    const err = configError(() => loadConfig(schema, { SERVICE_NAME: 'x', PORT: '70000' }));
    expect(err.issues).toEqual(['PORT: must be ≤ 65535']);
  });

  test('returns a deep-frozen object', () => {
    const nested = z.object({ NODE_ENV: nodeEnv, LIMITS: z.object({ max: z.number() }).default({ max: 1 }) });
    const config = loadConfig(nested, {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.LIMITS)).toBe(true);
    expect(() => {
      (config as { NODE_ENV: string }).NODE_ENV = 'production';
    }).toThrow(TypeError);
  });

  test('refuses a development default secret in production and names the key', () => {
    const err = configError(() => loadConfig(schema, { NODE_ENV: 'production', SERVICE_NAME: 'auth' }));
    expect(err.issues).toEqual([
      'JWT_SECRET: the development default secret is not allowed when NODE_ENV=production',
    ]);
  });

  test('NODE_ENV unset means production: the development default secret is refused', () => {
    const err = configError(() => loadConfig(schema, { SERVICE_NAME: 'auth' }));
    expect(err.issues).toEqual([
      'JWT_SECRET: the development default secret is not allowed when NODE_ENV=production',
    ]);
    const real = 'a-real-production-secret-with-enough-entropy-42';
    expect(loadConfig(schema, { SERVICE_NAME: 'auth', JWT_SECRET: real }).NODE_ENV).toBe('production');
  });

  test('refuses a JWT_SECRET equal to INTERNAL_TOKEN_SECRET, in every mode', () => {
    const both = z.object({
      NODE_ENV: nodeEnv,
      JWT_SECRET: secret(DEV_JWT),
      INTERNAL_TOKEN_SECRET: secret('dev-only-internal-config-test-0123456789'),
    });
    const same = 'one-secret-used-twice-0123456789abcdef';
    for (const mode of ['production', 'development', 'test']) {
      const err = configError(() =>
        loadConfig(both, { NODE_ENV: mode, JWT_SECRET: same, INTERNAL_TOKEN_SECRET: same }),
      );
      expect(err.issues).toEqual(['INTERNAL_TOKEN_SECRET: must differ from JWT_SECRET']);
    }
    expect(loadConfig(both, { NODE_ENV: 'development' }).NODE_ENV).toBe('development');
  });

  test('refuses the development default in production even when set explicitly', () => {
    const env = { NODE_ENV: 'production', SERVICE_NAME: 'auth', JWT_SECRET: DEV_JWT };
    expect(() => loadConfig(schema, env)).toThrow(/JWT_SECRET/);
  });

  test('accepts production with a real secret', () => {
    const real = 'a-real-production-secret-with-enough-entropy-42';
    const config = loadConfig(schema, { NODE_ENV: 'production', SERVICE_NAME: 'auth', JWT_SECRET: real });
    expect(config.NODE_ENV).toBe('production');
    expect(config.JWT_SECRET).toBe(real);
  });

  test('reads process.env by default', () => {
    const name = `CHAT_CONFIG_TEST_${process.pid}`;
    process.env[name] = '42';
    try {
      expect(loadConfig(z.object({ [name]: port(1) }))[name]).toBe(42);
    } finally {
      delete process.env[name];
    }
  });
});

describe('shared fragments', () => {
  const shared = z.object({
    HOST: host(),
    MONGO_DB: dbName('auth'),
    CORS_ORIGINS: originList('http://localhost:5000,http://localhost:3000'),
    POLL_MS: milliseconds(250, { min: 10, max: 600_000 }),
  });

  test('empty variables take the defaults', () => {
    expect(loadConfig(shared, { HOST: '', MONGO_DB: '', CORS_ORIGINS: '', POLL_MS: '' })).toEqual({
      HOST: '0.0.0.0',
      MONGO_DB: 'auth',
      CORS_ORIGINS: ['http://localhost:5000', 'http://localhost:3000'],
      POLL_MS: 250,
    });
  });

  test('an origin list keeps origins only and names each bad entry', () => {
    const env = { CORS_ORIGINS: ' https://chat.example/app/ , http://10.0.0.2:8080 ' };
    expect(loadConfig(shared, env).CORS_ORIGINS).toEqual(['https://chat.example', 'http://10.0.0.2:8080']);
    const err = configError(() =>
      loadConfig(shared, { CORS_ORIGINS: 'nope', MONGO_DB: 'a.b', POLL_MS: '5' }),
    );
    expect(err.issues).toEqual([
      'MONGO_DB: must be 1-63 characters of letters, digits, _ or -',
      'CORS_ORIGINS: "nope" is not a URL',
      'POLL_MS: must be ≥ 10',
    ]);
    expect(configError(() => loadConfig(shared, { CORS_ORIGINS: ' , ' })).issues).toEqual([
      'CORS_ORIGINS: at least one URL is required',
    ]);
  });
});
