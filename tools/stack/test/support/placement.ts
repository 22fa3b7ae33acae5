import { type SignedUpUser, signUp } from './browser.js';
import { type ChatSocket, type ConnectOptions, connectChat } from './chat-socket.js';
import { type E2eStack, locate, waitForSocketTotal } from './e2e-stack.js';

export interface PlacedSocket {
  chat: ChatSocket;
  user: SignedUpUser;
  /** The realtime node holding the socket (`realtime-1`, …). */
  node: string;
}

/** Signs a user up and connects one socket, reporting the node the gateway sent it to. */
export async function connectNewUser(
  e2e: E2eStack,
  prefix: string,
  opts: ConnectOptions = {},
): Promise<PlacedSocket> {
  const user = await signUp(e2e.url, prefix);
  const { value: chat, node } = await locate(e2e, () => connectChat(e2e.url, user, opts));
  return { chat, user, node };
}

/**
 * Tries until a miss this long would happen by chance less than once in a million: each try has a 1/N chance
 * with N nodes, so 20 tries on 2 nodes and 35 on 3.
 */
export function placementAttempts(nodes: number): number {
  return nodes <= 1 ? 1 : Math.ceil(Math.log(1e-6) / Math.log(1 - 1 / nodes));
}

/**
 * The gateway places each user by a hash of their id, so a test wanting a user on a given node signs users
 * up until one lands there; missing {@link placementAttempts} times in a row means a bug.
 * `openSockets` is how many sockets the test holds open meanwhile.
 */
export async function connectNewUserWhere(
  e2e: E2eStack,
  prefix: string,
  wanted: (node: string) => boolean,
  openSockets: number,
  opts: ConnectOptions = {},
): Promise<PlacedSocket> {
  const seen: string[] = [];
  const attempts = placementAttempts(e2e.realtimeNodes.length);
  for (let attempt = 0; attempt < attempts; attempt++) {
    const placed = await connectNewUser(e2e, prefix, opts);
    if (wanted(placed.node)) return placed;
    seen.push(placed.node);
    placed.chat.close();
    await waitForSocketTotal(e2e, openSockets);
  }
  throw new Error(
    `no new user landed on the wanted node in ${attempts} tries; they went to ${seen.join(', ')}`,
  );
}
