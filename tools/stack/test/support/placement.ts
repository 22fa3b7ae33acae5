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
 * The gateway places each user by a hash of their id, so a test wanting a user on a given node signs users
 * up until one lands there (each try has a 1/N chance with N nodes; ten misses in a row mean a bug).
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
  for (let attempt = 0; attempt < 10; attempt++) {
    const placed = await connectNewUser(e2e, prefix, opts);
    if (wanted(placed.node)) return placed;
    seen.push(placed.node);
    placed.chat.close();
    await waitForSocketTotal(e2e, openSockets);
  }
  throw new Error(`no new user landed on the wanted node; they went to ${seen.join(', ')}`);
}
