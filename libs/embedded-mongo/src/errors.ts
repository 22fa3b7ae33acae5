import type { Doc } from './types.js';

/** A MongoDB command error: serialized as `{ ok: 0, errmsg, code, codeName, ...extra }`. */
export class CommandError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
    readonly extra: Doc = {},
  ) {
    super(message);
  }

  toReply(): Doc {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }

  /** The shape used inside `writeErrors[]`. */
  toWriteError(index: number): Doc {
    return { index, code: this.code, errmsg: this.message, ...this.extra };
  }
}

export const badValue = (message: string) => new CommandError(2, 'BadValue', message);
export const failedToParse = (message: string) => new CommandError(9, 'FailedToParse', message);
export const namespaceNotFound = (ns: string) =>
  new CommandError(26, 'NamespaceNotFound', `ns does not exist: ${ns}`);
export const cursorNotFound = (id: number) =>
  new CommandError(43, 'CursorNotFound', `cursor id ${id} not found`);
export const commandNotFound = (name: string) =>
  new CommandError(59, 'CommandNotFound', `no such command: '${name}'`);
export const immutableField = (path: string) =>
  new CommandError(
    66,
    'ImmutableField',
    `Performing an update on the path '${path}' would modify the immutable field '${path}'`,
  );

/** Maps errors thrown by mingo (or anything else) onto the codes mongod uses for the same failure. */
export function toCommandError(error: unknown): CommandError {
  if (error instanceof CommandError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes('would create a conflict'))
    return new CommandError(40, 'ConflictingUpdateOperators', message);
  if (message.includes('immutable field')) return new CommandError(66, 'ImmutableField', message);
  return new CommandError(2, 'BadValue', message);
}
