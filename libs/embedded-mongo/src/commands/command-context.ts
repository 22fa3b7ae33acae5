import type { CursorStore } from '../cursor-store.js';
import type { Storage } from '../storage.js';
import type { Doc } from '../types.js';

/** What a command handler may touch: the shared storage and cursors, plus the request's database. */
export interface CommandContext {
  storage: Storage;
  cursors: CursorStore;
  db: string;
  connectionId: number;
}

export type CommandHandler = (cmd: Doc, ctx: CommandContext) => Doc;

/** The collection name a command targets (its first field's value), validated as a string. */
export function targetCollection(cmd: Doc, name: string): string {
  const value = cmd[name];
  if (typeof value !== 'string' || value === '') {
    throw new Error(`collection name has invalid type ${typeof value}`);
  }
  return value;
}

export function asDoc(value: unknown): Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Doc) : {};
}

export function asNumber(value: unknown, fallback = 0): number {
  if (typeof value === 'number') return value;
  if (value !== null && typeof value === 'object' && 'toNumber' in value) {
    const toNumber = (value as { toNumber: unknown }).toNumber;
    if (typeof toNumber === 'function') return Number(toNumber.call(value));
  }
  return fallback;
}
