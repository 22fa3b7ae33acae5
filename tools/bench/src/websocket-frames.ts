import { createHash, randomBytes, randomFillSync } from 'node:crypto';

/**
 * The client side of RFC 6455 as far as an idle capacity socket needs it: the opening handshake's key and
 * its check, masked text frames out, unmasked frames in (a server never masks). No extensions, no
 * fragmentation (the Socket.IO server sends each packet as one frame).
 */

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const OPCODE = { text: 0x1, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** The `Sec-WebSocket-Accept` a server answers to `key`. */
export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + ACCEPT_GUID)
    .digest('base64');
}

/** A fresh `Sec-WebSocket-Key` and the `Sec-WebSocket-Accept` the server must answer with. */
export function handshakeKey(): { key: string; accept: string } {
  const key = randomBytes(16).toString('base64');
  return { key, accept: acceptFor(key) };
}

// Masks are drawn from a pool refilled in bulk: one random-bytes call per 1,024 frames.
const MASK_POOL = Buffer.allocUnsafe(4 * 1024);
let maskAt = MASK_POOL.length;

/** One masked client frame (FIN set) carrying `payload` under `opcode`. */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (header === 2) frame[1] = 0x80 | length;
  else if (header === 4) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  if (maskAt === MASK_POOL.length) {
    randomFillSync(MASK_POOL);
    maskAt = 0;
  }
  MASK_POOL.copy(frame, header, maskAt, maskAt + 4);
  for (let i = 0; i < length; i++)
    frame[header + 4 + i] = (payload[i] ?? 0) ^ (MASK_POOL[maskAt + (i & 3)] ?? 0);
  maskAt += 4;
  return frame;
}

const EMPTY = Buffer.alloc(0);

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/**
 * Cuts server frames out of a byte stream: `push` each chunk as it arrives, get back the frames it
 * completed. Throws on what a server must not send (a masked frame, a fragment, a length beyond 2^32).
 */
export function createFrameReader(): { push(chunk: Buffer): ServerFrame[] } {
  let pending: Buffer = EMPTY;
  return {
    push(chunk) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const frames: ServerFrame[] = [];
      for (;;) {
        if (pending.length < 2) break;
        const first = pending[0] ?? 0;
        const second = pending[1] ?? 0;
        if ((first & 0x80) === 0) throw new Error('fragmented frame');
        if ((second & 0x80) !== 0) throw new Error('masked server frame');
        let length = second & 0x7f;
        let header = 2;
        if (length === 126) {
          if (pending.length < 4) break;
          length = pending.readUInt16BE(2);
          header = 4;
        } else if (length === 127) {
          if (pending.length < 10) break;
          if (pending.readUInt32BE(2) !== 0) throw new Error('frame too long');
          length = pending.readUInt32BE(6);
          header = 10;
        }
        if (pending.length < header + length) break;
        frames.push({ opcode: first & 0x0f, payload: pending.subarray(header, header + length) });
        pending = pending.subarray(header + length);
      }
      // What is kept between chunks must not hold the chunk's memory: an idle socket keeps its last
      // remainder until its next chunk, and the greeting's chunk is several KB.
      pending = pending.length === 0 ? EMPTY : Buffer.from(pending);
      return frames;
    },
  };
}
