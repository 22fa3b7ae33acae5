import { AsyncLocalStorage } from 'node:async_hooks';

const storage = new AsyncLocalStorage<string>();

/** Runs `fn` with `id` as the correlation id of everything it does, sync or async. */
export function withCorrelationId<T>(id: string, fn: () => T): T {
  return storage.run(id, fn);
}

/** The correlation id bound by the nearest `withCorrelationId`, if any. */
export function currentCorrelationId(): string | undefined {
  return storage.getStore();
}
