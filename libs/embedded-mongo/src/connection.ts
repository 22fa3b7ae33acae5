import type { Socket } from 'node:net';
import { dispatchCommand } from './command-dispatcher.js';
import type { CommandContext } from './commands/command-context.js';
import { MAX_MESSAGE_SIZE_BYTES } from './commands/handshake-commands.js';
import {
  encodeOpMsg,
  encodeOpReply,
  MORE_TO_COME,
  OP_MSG,
  OP_QUERY,
  parseOpMsg,
  parseOpQuery,
  readHeader,
} from './wire-protocol.js';

const HEADER_SIZE = 16;

/**
 * Serves one client socket: reassembles messages that TCP splits or batches, answers each in order.
 * Commands run synchronously, so replies on one connection never interleave.
 */
export function serveConnection(socket: Socket, ctx: Omit<CommandContext, 'db'>): void {
  const chunks: Buffer[] = [];
  let buffered = 0;

  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    buffered += chunk.length;
    try {
      drain();
    } catch {
      // A malformed message leaves the stream unrecoverable, as mongod does: hang up.
      socket.destroy();
    }
  });

  function drain(): void {
    while (buffered >= 4) {
      const head = chunks[0] && chunks[0].length >= 4 ? chunks[0] : Buffer.concat(chunks);
      const length = head.readInt32LE(0);
      if (length < HEADER_SIZE || length > MAX_MESSAGE_SIZE_BYTES)
        throw new Error(`bad message length ${length}`);
      if (buffered < length) return;
      const all = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      chunks.length = 0;
      if (all.length > length) chunks.push(all.subarray(length));
      buffered = all.length - length;
      handleMessage(all.subarray(0, length));
    }
  }

  function handleMessage(message: Buffer): void {
    const header = readHeader(message);
    if (header.opCode === OP_MSG) {
      const { flags, command } = parseOpMsg(message);
      const reply = dispatchCommand(command, ctx);
      if ((flags & MORE_TO_COME) === 0) socket.write(encodeOpMsg(header.requestId, reply));
      return;
    }
    if (header.opCode === OP_QUERY) {
      const { namespace, query } = parseOpQuery(message);
      const inner = query.$query !== null && typeof query.$query === 'object' ? query.$query : query;
      const db = namespace.split('.')[0] ?? 'admin';
      const reply = dispatchCommand({ ...(inner as Record<string, unknown>), $db: db }, ctx);
      socket.write(encodeOpReply(header.requestId, reply));
      return;
    }
    throw new Error(`unsupported opCode ${header.opCode}`);
  }
}
