import { describe, expect, test } from 'vitest';
import type { ChatMessage } from '../src/api/types';
import { isAfter, mergeMessages } from '../src/state/merge-messages';

function message(id: string, second: number, text = `m${id}`): ChatMessage {
  return {
    _id: id.padStart(24, '0'),
    conversationId: 'c'.padStart(24, '0'),
    senderId: 'a'.padStart(24, '0'),
    receiverId: 'b'.padStart(24, '0'),
    message: text,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
  };
}

describe('mergeMessages', () => {
  test('a page overlapping what is shown adds only the new messages, in order', () => {
    const shown = [message('1', 1), message('2', 2), message('3', 3)];
    const page = [message('2', 2), message('3', 3), message('4', 4), message('5', 5)];
    expect(mergeMessages(shown, page).map((m) => m.message)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  });

  test('an older page goes before, a live push after, each id once', () => {
    const merged = mergeMessages(mergeMessages([message('3', 3)], [message('1', 1), message('2', 2)]), [
      message('3', 3),
      message('4', 4),
    ]);
    expect(merged.map((m) => m._id.slice(-1))).toEqual(['1', '2', '3', '4']);
  });

  test('a later copy of a message (an edit, a tombstone) replaces the shown one in place', () => {
    const edited = { ...message('2', 2, 'fixed'), editedAt: '2026-01-01T00:01:00.000Z' };
    const merged = mergeMessages([message('1', 1), message('2', 2), message('3', 3)], [edited]);
    expect(merged.map((m) => m.message)).toEqual(['m1', 'fixed', 'm3']);
    expect(merged[1]?.editedAt).toBe(edited.editedAt);
  });

  test('messages of the same second keep id order', () => {
    const merged = mergeMessages([message('b', 7)], [message('a', 7), message('c', 7)]);
    expect(merged.map((m) => m._id.slice(-1))).toEqual(['a', 'b', 'c']);
  });
});

describe('isAfter', () => {
  test('compares ObjectIds by creation order; anything is after no mark', () => {
    expect(isAfter('65a000000000000000000002', '65a000000000000000000001')).toBe(true);
    expect(isAfter('65a000000000000000000001', '65a000000000000000000001')).toBe(false);
    expect(isAfter('65a000000000000000000001', null)).toBe(true);
  });
});
