import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { clientFrame, createFrameReader, handshakeKey, OPCODE } from './websocket-frames.js';

/**
 * An idle Socket.IO client for the capacity phase, speaking the wire protocol (Engine.IO 4 over one
 * WebSocket, Socket.IO 5 packets) directly on a TCP socket: the upgrade request with the `jwt` cookie,
 * connect to the main namespace, answer the server's pings, and hand on the events it is asked for. The
 * capacity phase opens thousands of these on the same two cores as the node it measures: socket.io-client
 * (a Manager, a reconnection timer and an emitter chain per socket) cost the load generator twice the
 * node's CPU per connect, and ws (an HTTP client request, a stream pair and a parser per socket) still
 * more than the node. What the node does per socket is the same for every client.
 * No reconnection: a socket that drops is simply not counted in the broadcast.
 */
export interface LeanSocket {
  /** Called with the payload of each `event` the server emits (parsed only for the events listened to). */
  on(event: string, listener: (data: unknown) => void): void;
  close(): void;
}

// Engine.IO packet types (first character) and Socket.IO packet types (second, inside a message).
const EIO_OPEN = '0';
const EIO_PING = '2';
const EIO_PONG = Buffer.from('3');
const EIO_MESSAGE = '4';
const SIO_CONNECT = Buffer.from('40');
const SIO_EVENT = '2';
const SIO_CONNECT_ERROR = '4';
const GREETING = '42["getOnlineUsers"';
const HEAD_END = '\r\n\r\n';

/** The event name and payload of a Socket.IO EVENT packet's body (`["name",data]`), or undefined. */
function eventOf(body: string): { name: string; data: unknown } | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (Array.isArray(parsed) && typeof parsed[0] === 'string') return { name: parsed[0], data: parsed[1] };
  } catch {}
  return undefined;
}

/** How many loopback source addresses the sockets of a loopback node are spread over (see sourceAddress). */
export const LOOPBACK_SOURCES = 16;

/**
 * The local address socket number `index` connects from: for a node on an IPv4 loopback address, one of
 * 127.0.0.2 … 127.0.0.17 in turn; otherwise the system's choice. From one source address to one node
 * address and port, the kernel finds each connect an ephemeral port not yet paired with that node among
 * 28,000 (preferring the even half): past ~14,000 sockets every connect scanned the taken ones, and the
 * client's kernel time per connect grew eightfold. Real clients come from many addresses; spread over
 * sixteen, each address holds ~1,200 of 19,000 sockets.
 */
export function sourceAddress(url: string, index: number): string | undefined {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(new URL(url).hostname)) return undefined;
  return `127.0.0.${2 + (index % LOOPBACK_SOURCES)}`;
}

function openTransport(base: URL, localAddress: string | undefined): Socket {
  const port = Number(base.port) || (base.protocol === 'https:' ? 443 : 80);
  const host = base.hostname;
  const tcp = connectTcp({ host, port, localAddress });
  return base.protocol === 'https:' ? connectTls({ socket: tcp, servername: host }) : tcp;
}

/** The upgrade reply's verdict: undefined when it is a 101 with the expected accept key. */
function refusalOf(head: string, accept: string): string | undefined {
  const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
  if (status !== '101') return `upgrade refused: HTTP ${status ?? '?'}`;
  const answered = /\r\nsec-websocket-accept:\s*(\S+)/i.exec(head)?.[1];
  return answered === accept ? undefined : 'upgrade refused: wrong Sec-WebSocket-Accept';
}

/**
 * Opens a socket and resolves once the node greeted it (its first `getOnlineUsers`: presence recorded);
 * rejects on a refused upgrade or handshake, a closed transport or the timeout.
 */
export function openLeanSocket(
  url: string,
  token: string,
  opts: { timeoutMs?: number; localAddress?: string } = {},
): Promise<LeanSocket> {
  const { timeoutMs = 30_000, localAddress } = opts;
  const base = new URL('/socket.io/?EIO=4&transport=websocket', url);
  const { key, accept } = handshakeKey();
  const tcp = openTransport(base, localAddress);
  tcp.setNoDelay(true);
  tcp.write(
    `GET ${base.pathname}${base.search} HTTP/1.1\r\nHost: ${base.host}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
      `Cookie: jwt=${token}${HEAD_END}`,
  );
  const listeners = new Map<string, (data: unknown) => void>();
  const socket: LeanSocket = {
    on: (event, listener) => void listeners.set(event, listener),
    close: () => tcp.destroy(),
  };
  const send = (payload: Buffer) => tcp.write(clientFrame(OPCODE.text, payload));
  return new Promise((resolve, reject) => {
    let greeted = false;
    let upgraded = false;
    let head = '';
    const frames = createFrameReader();
    const timer = setTimeout(() => fail(new Error('socket not greeted in time')), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      if (!greeted) reject(error);
      tcp.destroy();
    };
    const onText = (text: string) => {
      const kind = text[0];
      if (kind === EIO_PING) return void send(EIO_PONG);
      if (kind !== EIO_MESSAGE) {
        // The Engine.IO open packet: ask for the main namespace.
        if (kind === EIO_OPEN) send(SIO_CONNECT);
        return;
      }
      const packet = text[1];
      if (packet === SIO_CONNECT_ERROR) return fail(new Error(`refused: ${text.slice(2)}`));
      if (packet !== SIO_EVENT) return;
      if (!greeted && text.startsWith(GREETING)) {
        greeted = true;
        clearTimeout(timer);
        resolve(socket);
      }
      if (listeners.size === 0) return;
      const event = eventOf(text.slice(2));
      if (event) listeners.get(event.name)?.(event.data);
    };
    const onFrames = (chunk: Buffer) => {
      for (const frame of frames.push(chunk)) {
        if (frame.opcode === OPCODE.text) onText(frame.payload.toString());
        else if (frame.opcode === OPCODE.ping) tcp.write(clientFrame(OPCODE.pong, frame.payload));
        else if (frame.opcode === OPCODE.close) return fail(new Error('transport closed'));
      }
    };
    tcp.on('error', (error) => fail(error));
    tcp.on('close', () => fail(new Error('transport closed')));
    tcp.on('data', (chunk: Buffer) => {
      try {
        if (!upgraded) {
          head += chunk.toString('latin1');
          const end = head.indexOf(HEAD_END);
          if (end === -1) return;
          const refusal = refusalOf(head.slice(0, end), accept);
          if (refusal) return fail(new Error(refusal));
          const rest = Buffer.from(head.slice(end + HEAD_END.length), 'latin1');
          upgraded = true;
          head = '';
          if (rest.length > 0) onFrames(rest);
          return;
        }
        onFrames(chunk);
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}
