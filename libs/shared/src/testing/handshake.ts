import type { Socket } from 'socket.io-client';

/**
 * The outcome of `socket`'s first handshake (opened without reconnection): the refusal message, or
 * undefined if it was accepted. The socket is disconnected either way.
 */
export async function handshakeOutcome(socket: Socket, timeoutMs = 5_000): Promise<string | undefined> {
  try {
    return await new Promise<string | undefined>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('handshake neither accepted nor refused')), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
      socket.once('connect_error', (err) => {
        clearTimeout(timer);
        resolve(err.message);
      });
    });
  } finally {
    socket.disconnect();
  }
}
