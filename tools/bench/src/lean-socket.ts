import WebSocket from 'ws';

/**
 * An idle Socket.IO client for the capacity phase, speaking the wire protocol (Engine.IO 4 over one
 * WebSocket, Socket.IO 5 packets) directly: open the transport with the `jwt` cookie, connect to the main
 * namespace, answer the server's pings, and hand on the events it is asked for. The capacity phase opens
 * thousands of these on the same two cores as the node it measures, and socket.io-client (a Manager, a
 * reconnection timer and an emitter chain per socket) cost the load generator twice the node's CPU per
 * connect. What the node does per socket is the same for both clients. No reconnection: a socket that drops
 * is simply not counted in the broadcast.
 */
export interface LeanSocket {
  /** Called with the payload of each `event` the server emits (parsed only for the events listened to). */
  on(event: string, listener: (data: unknown) => void): void;
  close(): void;
}

// Engine.IO packet types (first character) and Socket.IO packet types (second, inside a message).
const EIO_PING = '2';
const EIO_PONG = '3';
const EIO_MESSAGE = '4';
const SIO_CONNECT = '0';
const SIO_EVENT = '2';
const SIO_CONNECT_ERROR = '4';

/** `ws://…/socket.io/?EIO=4&transport=websocket` of an http(s) base URL. */
function transportUrl(base: string): string {
  const url = new URL('/socket.io/', base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = 'EIO=4&transport=websocket';
  return url.toString();
}

/** The event name and payload of a Socket.IO EVENT packet's body (`["name",data]`), or undefined. */
function eventOf(body: string): { name: string; data: unknown } | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (Array.isArray(parsed) && typeof parsed[0] === 'string') return { name: parsed[0], data: parsed[1] };
  } catch {}
  return undefined;
}

/**
 * Opens a socket and resolves once the node greeted it (its first `getOnlineUsers`: presence recorded);
 * rejects on a refused handshake, a closed transport or the timeout.
 */
export function openLeanSocket(url: string, token: string, timeoutMs = 30_000): Promise<LeanSocket> {
  const ws = new WebSocket(transportUrl(url), {
    headers: { cookie: `jwt=${token}` },
    perMessageDeflate: false,
  });
  const listeners = new Map<string, (data: unknown) => void>();
  const socket: LeanSocket = {
    on: (event, listener) => void listeners.set(event, listener),
    close: () => ws.terminate(),
  };
  return new Promise((resolve, reject) => {
    let greeted = false;
    const timer = setTimeout(() => fail(new Error('socket not greeted in time')), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      if (!greeted) reject(error);
      ws.terminate();
    };
    ws.on('error', (error) => fail(error));
    ws.on('close', () => fail(new Error('transport closed')));
    ws.on('message', (raw: Buffer) => {
      const text = raw.toString();
      const kind = text[0];
      if (kind === EIO_PING) return void ws.send(EIO_PONG);
      if (kind !== EIO_MESSAGE) {
        // The Engine.IO open packet: ask for the main namespace.
        if (kind === '0') ws.send(EIO_MESSAGE + SIO_CONNECT);
        return;
      }
      const packet = text[1];
      if (packet === SIO_CONNECT_ERROR) return fail(new Error(`refused: ${text.slice(2)}`));
      if (packet !== SIO_EVENT) return;
      if (!greeted && text.startsWith('["getOnlineUsers"', 2)) {
        greeted = true;
        clearTimeout(timer);
        resolve(socket);
      }
      if (listeners.size === 0) return;
      const event = eventOf(text.slice(2));
      if (event) listeners.get(event.name)?.(event.data);
    });
  });
}
