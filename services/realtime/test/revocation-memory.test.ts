import { describe, expect, test } from 'vitest';
import { greetingStatuses } from '../src/domain/admission.js';
import { createRevocationMemory } from '../src/domain/revocation-memory.js';

describe('revocation memory', () => {
  test('covers the revoked jti, and the user tokens issued at or before the mark, for keepMs', () => {
    let clock = 1_000_000;
    const memory = createRevocationMemory({ keepMs: 60_000, now: () => clock });
    memory.remember({ kind: 'token', jti: 'j1' });
    memory.remember({ kind: 'user', userId: 'u1', before: 500 });

    expect(memory.covers({ sub: 'u2', jti: 'j1', iat: 900 })).toBe(true);
    expect(memory.covers({ sub: 'u2', jti: 'j2', iat: 900 })).toBe(false);
    expect(memory.covers({ sub: 'u1', jti: 'j3', iat: 500 })).toBe(true);
    expect(memory.covers({ sub: 'u1', jti: 'j3', iat: 501 })).toBe(false);

    clock += 60_001;
    expect(memory.covers({ sub: 'u2', jti: 'j1', iat: 900 })).toBe(false);
    expect(memory.covers({ sub: 'u1', jti: 'j3', iat: 500 })).toBe(false);
  });
});

describe('greeting statuses', () => {
  test('the user is Available unless listed Busy; every other Busy user is announced with their until', () => {
    const until = Date.UTC(2030, 0, 1);
    const busy = new Map<string, number | null>([
      ['other', until],
      ['third', null],
    ]);
    expect(greetingStatuses('me', { online: ['me', 'other', 'third'], busy })).toEqual({
      own: { userId: 'me', status: 'Available', statusUntil: null },
      others: [
        { userId: 'other', status: 'Busy', statusUntil: new Date(until).toISOString() },
        { userId: 'third', status: 'Busy', statusUntil: null },
      ],
    });
    busy.set('me', null);
    expect(greetingStatuses('me', { online: ['me'], busy }).own).toEqual({
      userId: 'me',
      status: 'Busy',
      statusUntil: null,
    });
  });
});
