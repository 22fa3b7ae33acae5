import { waitFor } from '@chat/shared/testing';

/** `waitFor` for checks that answer `undefined` until the value is there; resolves with the value itself. */
export async function waitForValue<T>(
  check: () => T | undefined | Promise<T | undefined>,
  opts: { timeoutMs?: number; message?: string } = {},
): Promise<T> {
  let found: { value: T } | undefined;
  await waitFor(async () => {
    const value = await check();
    if (value !== undefined) found = { value };
    return found !== undefined;
  }, opts);
  if (!found) throw new Error(opts.message ?? 'waitForValue: no value');
  return found.value;
}
