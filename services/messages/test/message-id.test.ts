import { Types } from 'mongoose';
import { describe, expect, test } from 'vitest';
import { newMessageId } from '../src/data-access/message-id.js';

// Ids sort by creation time to the millisecond whichever replica made them: the per-process part comes after
// the millisecond, so it only breaks ties within one.
describe('message ids', () => {
  test('are ObjectIds carrying their creation second', () => {
    const now = Date.UTC(2026, 11, 2, 7, 8, 9, 123);
    const id = newMessageId(now);
    expect(Types.ObjectId.isValid(id)).toBe(true);
    expect(new Types.ObjectId(id).getTimestamp().getTime()).toBe(Math.floor(now / 1000) * 1000);
  });

  test('a later millisecond always sorts after, across second boundaries too', () => {
    const start = Date.UTC(2026, 11, 2, 7, 8, 9, 990);
    const ids = Array.from({ length: 30 }, (_, i) => newMessageId(start + i));
    expect([...ids].sort()).toEqual(ids);
  });

  test('ids made in the same millisecond are distinct', () => {
    const now = Date.now();
    const ids = Array.from({ length: 1_000 }, () => newMessageId(now));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id.slice(0, 12))).size).toBe(1);
  });
});
