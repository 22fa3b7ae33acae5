import { describe, expect, test } from 'vitest';
import { compareSeq } from '../src/sockets/index.js';

describe('compareSeq', () => {
  test('orders by time, then by the counter within the same millisecond, not as strings', () => {
    expect(compareSeq('1700000000000-9', '1700000000000-10')).toBeLessThan(0);
    expect(compareSeq('1700000000001-0', '1700000000000-10')).toBeGreaterThan(0);
    expect(compareSeq('1700000000000-3', '1700000000000-3')).toBe(0);
    expect(['5-10', '5-9', '4-100'].sort(compareSeq)).toEqual(['4-100', '5-9', '5-10']);
  });
});
