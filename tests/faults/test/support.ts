import { testEnv, waitFor } from '@chat/shared/testing';
import { beforeEach, expect } from 'vitest';
import { type ChatClient, connectClient } from '../src/chat-client.js';
import type { Verdict } from '../src/checker.js';
import { signUp, type User } from '../src/clients.js';
import { type FaultStack, type FaultStackOptions, startFaultStack } from '../src/fault-stack.js';

/** A fault stack on the test run's Redis, RabbitMQ and MongoDB (each behind its own fault proxy). */
export function startStackForTest(opts: Omit<FaultStackOptions, 'infra'> = {}): Promise<FaultStack> {
  return startFaultStack({ ...opts, infra: testEnv() });
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
