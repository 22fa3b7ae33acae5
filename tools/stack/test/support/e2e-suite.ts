import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ChatSocket } from './chat-socket.js';
import { type E2eStack, printLogsOnFailure, startE2eStack, waitForSocketTotal } from './e2e-stack.js';
import { connectNewUser, connectNewUserWhere, type PlacedSocket } from './placement.js';

/** The socket helpers the tests of an e2e suite share. */
export interface E2eSuite {
  /** Keeps a socket (or a placed one) to close after the current test. */
  track<T extends { chat: ChatSocket } | ChatSocket>(placed: T): T;
  /** Two users whose sockets sit on different realtime nodes. */
  pairOnTwoNodes(prefix: string): Promise<[PlacedSocket, PlacedSocket]>;
  /** A further user whose socket sits on `node` (a witness: what reaches it proves what was sent before). */
  userOn(prefix: string, node: string): Promise<PlacedSocket>;
}

/**
 * Registers the hooks of an e2e suite on one stack of `nodes` realtime nodes: started before the tests (and
 * handed to `onStarted`), stopped after them, its log printed on a failure. Every test starts with no socket
 * on any node (the ones it tracked are closed after it), so it can tell where its own sockets land.
 */
export function useE2eStack(nodes: number, onStarted: (e2e: E2eStack) => void): E2eSuite {
  let e2e: E2eStack | undefined;
  const current = (): E2eStack => {
    if (!e2e) throw new Error('the e2e stack has not started');
    return e2e;
  };
  const opened: ChatSocket[] = [];

  beforeAll(async () => {
    e2e = await startE2eStack(nodes);
    onStarted(e2e);
  });
  afterAll(async () => {
    await e2e?.stop();
  });
  printLogsOnFailure(() => e2e);
  afterEach(async () => {
    for (const chat of opened.splice(0)) chat.close();
    await waitForSocketTotal(current(), 0);
  });

  const track = <T extends { chat: ChatSocket } | ChatSocket>(placed: T): T => {
    opened.push('chat' in placed ? placed.chat : placed);
    return placed;
  };
  return {
    track,
    async pairOnTwoNodes(prefix) {
      const first = track(await connectNewUser(current(), `${prefix}a`));
      const second = track(
        await connectNewUserWhere(current(), `${prefix}b`, (node) => node !== first.node, 1),
      );
      return [first, second];
    },
    async userOn(prefix, node) {
      return track(await connectNewUserWhere(current(), prefix, (n) => n === node, opened.length));
    },
  };
}
