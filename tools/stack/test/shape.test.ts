import { describe, expect, test } from 'vitest';
import { parseShape } from '../src/shape.js';

// `npm start -- --replicas …` and `npm run bench -- --replicas …` read the same list.
describe('--replicas', () => {
  test('gives each named tier its count and the realtime delivery queues', () => {
    expect(parseShape('gateway=2,auth=2,users=2,messages=2,realtime=3,queues=4')).toEqual({
      replicas: { gateway: 2, auth: 2, users: 2, messages: 2, realtime: 3 },
      queues: 4,
    });
    expect(parseShape('realtime=4')).toEqual({ replicas: { realtime: 4 } });
  });

  test('refuses unknown tiers and counts below one', () => {
    expect(() => parseShape('mongo=2')).toThrow(/tier=N pairs/);
    expect(() => parseShape('gateway=0')).toThrow(/gateway takes a whole number ≥ 1/);
    expect(() => parseShape('realtime')).toThrow(/realtime takes a whole number/);
  });
});
