import { testEnv, waitFor } from '@chat/shared/testing';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { type ChatClient, connectClient } from '../src/chat-client.js';
import type { Verdict } from '../src/checker.js';
import { signUp, type User } from '../src/clients.js';
import { type FaultStack, type FaultStackOptions, startFaultStack } from '../src/fault-stack.js';
import type { SendRecord } from '../src/load.js';
import { type MutationRecord, mutateOnce, mutationsFor } from '../src/mutations.js';

/** A fault stack on the test run's Redis, RabbitMQ and MongoDB (each behind its own fault proxy). */
export function startStackForTest(opts: Omit<FaultStackOptions, 'infra'> = {}): Promise<FaultStack> {
  return startFaultStack({ ...opts, infra: testEnv() });
}

/** The fault stack of a test file and the sockets of its current test. */
export interface FaultStackRun {
  readonly stack: FaultStack;
  /** The current test's sockets: closed after each test. */
  clients: ChatClient[];
  /**
   * `n` fresh sender → receiver pairs, with the receivers' sockets (and the senders' too, `withSenders`) as
   * the current test's `clients`.
   */
  usersAndSockets(prefix: string, n: number, withSenders?: boolean): Promise<Array<[User, User]>>;
}

/**
 * Registers the hooks of a file that runs all its tests on one fault stack: started before them, stopped
 * after them, its log printed on a failure; the sockets put in `clients` are closed after each test.
 */
export function useFaultStack(opts: Omit<FaultStackOptions, 'infra'> = {}): FaultStackRun {
  let stack: FaultStack | undefined;
  const run: FaultStackRun = {
    get stack() {
      if (!stack) throw new Error('the fault stack has not started');
      return stack;
    },
    clients: [],
    async usersAndSockets(prefix, n, withSenders = false) {
      const senders = await signUpMany(run.stack.url, `${prefix}s`, n);
      const receivers = await signUpMany(run.stack.url, `${prefix}r`, n);
      run.clients = await connectAll(run.stack.url, withSenders ? [...receivers, ...senders] : receivers);
      return pairsOf(senders, receivers);
    },
  };
  beforeAll(async () => {
    stack = await startStackForTest(opts);
  });
  afterEach(() => {
    for (const client of run.clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await stack?.stop();
  });
  printLogsOnFailure(() => stack);
  return run;
}

/** Prints the stack's log lines after any failing test of the file. */
export function printLogsOnFailure(current: () => FaultStack | undefined): void {
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      const logs = current()?.logs ?? [];
      console.error(`--- stack log (${logs.length} lines, last 300) ---\n${logs.slice(-300).join('\n')}`);
    });
  });
}

/** `n` fresh users, signed up one after another (bcrypt is the slow part). */
export async function signUpMany(url: string, prefix: string, n: number): Promise<User[]> {
  const users: User[] = [];
  for (let i = 0; i < n; i++) users.push(await signUp(url, `${prefix}${i}`));
  return users;
}

export async function connectAll(url: string, users: User[]): Promise<ChatClient[]> {
  return Promise.all(users.map((user) => connectClient(url, user)));
}

/** Every `(sender, receiver)` pair zipped from two lists. */
export function pairsOf(senders: User[], receivers: User[]): Array<[User, User]> {
  return senders.flatMap((sender, i) => {
    const receiver = receivers[i];
    return receiver ? [[sender, receiver] as [User, User]] : [];
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export { waitFor };

/** The checker's pass criterion: nothing lost, duplicated or unexpected, and no process of the stack crashed. */
export function expectClean(verdict: Verdict, stack: FaultStack): void {
  expect(verdict.lost).toEqual([]);
  expect(verdict.duplicated).toEqual([]);
  expect(verdict.unexpected).toEqual([]);
  expect(stack.crashed()).toEqual([]);
}

/** A verdict with its id lists replaced by their counts, for the scenario reports. */
export const counts = (v: Verdict) => ({
  ...v,
  lost: v.lost.length,
  duplicated: v.duplicated.length,
  unexpected: v.unexpected.length,
});

/**
 * Reads, edits and deletes on the messages a load has had acknowledged so far: `onResult` goes to
 * `runLoad`; each `mutateAll` takes the messages acknowledged since the previous one, per conversation, and
 * starts an edit, a delete and a read on them (see `mutationsFor`) without waiting.
 */
export function mutator(baseUrl: string) {
  const acked = new Map<string, { sender: User; receiver: User; ids: string[] }>();
  const pending: Array<Promise<MutationRecord>> = [];
  let batch = 0;
  return {
    onResult(record: SendRecord) {
      if (record.outcome !== 'ok' || !record.message) return;
      const key = `${record.sender._id}:${record.receiver._id}`;
      const entry = acked.get(key) ?? { sender: record.sender, receiver: record.receiver, ids: [] };
      entry.ids.push(record.message._id);
      acked.set(key, entry);
    },
    mutateAll() {
      batch++;
      for (const entry of acked.values()) {
        const ids = entry.ids.splice(0).sort();
        for (const m of mutationsFor(entry.sender, entry.receiver, ids, `b${batch}`))
          pending.push(mutateOnce(baseUrl, m));
      }
    },
    done: () => Promise.all(pending),
  };
}

/** Ids of the messages whose deletion was (or may have been) done: they may never be pushed. */
export const deletedIds = (mutations: MutationRecord[]) =>
  new Set(mutations.filter((m) => m.kind === 'delete' && m.outcome !== 'failed').map((m) => m.messageId));

/** Resolves once every acknowledged mutation's event reached every socket of both parties in `among`. */
export async function allEventsArrived(
  mutations: MutationRecord[],
  among: ChatClient[],
  timeoutMs: number,
): Promise<void> {
  const owed = mutations.flatMap((m) =>
    m.outcome === 'ok' && m.event
      ? among
          .filter((c) => c.user._id === m.actor._id || c.user._id === m.peer._id)
          .map((c) => [c, m.event] as const)
      : [],
  );
  await waitFor(
    () =>
      owed.every(([client, event]) =>
        client.events.some((e) => e.kind === event?.kind && e.key === event.key),
      ),
    {
      timeoutMs,
      intervalMs: 100,
      message: `not every read, edit and delete reached its sockets within ${timeoutMs} ms`,
    },
  );
}

/** A few distinct errors the clients met (for the reports: why a send or a mutation was slow or unknown). */
export function errorSample(records: Array<{ errors: string[] }>, max = 5): string[] {
  return [...new Set(records.flatMap((r) => r.errors))].slice(0, max);
}
