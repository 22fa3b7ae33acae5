import { ConfigError, loadConfig } from '@chat/shared/config';
import { describe, expect, test } from 'vitest';
import { configSchema } from '../src/config.js';

describe('auth config', () => {
  test('defaults to port 5001, database auth and bcrypt cost 12', () => {
    const config = loadConfig(configSchema, { NODE_ENV: 'development' });
    expect(config).toMatchObject({ PORT: 5001, MONGO_DB: 'auth', BCRYPT_COST: 12 });
  });

  test('refuses a bcrypt cost below 10', () => {
    expect(() => loadConfig(configSchema, { NODE_ENV: 'development', BCRYPT_COST: '9' })).toThrow(
      /BCRYPT_COST/,
    );
  });

  test('refuses the development secrets when NODE_ENV is unset (production), naming each key', () => {
    const attempt = () => loadConfig(configSchema, {});
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/JWT_SECRET.*INTERNAL_TOKEN_SECRET|INTERNAL_TOKEN_SECRET.*JWT_SECRET/);
  });
});
