import { deserialize, serialize } from 'bson';
import type { Doc } from './types.js';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

const HEADER_SIZE = 16;
const CHECKSUM_PRESENT = 1;
export const MORE_TO_COME = 2;

export interface MessageHeader {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

export function readHeader(message: Buffer): MessageHeader {
  return {
    length: message.readInt32LE(0),
    requestId: message.readInt32LE(4),
    responseTo: message.readInt32LE(8),
    opCode: message.readInt32LE(12),
  };
}

function readDocument(buf: Buffer, offset: number): { doc: Doc; size: number } {
  const size = buf.readInt32LE(offset);
  return { doc: deserialize(buf.subarray(offset, offset + size)), size };
}

function readCString(buf: Buffer, offset: number): { value: string; next: number } {
  const end = buf.indexOf(0, offset);
  if (end < 0) throw new Error('unterminated cstring');
  return { value: buf.toString('utf8', offset, end), next: end + 1 };
}

/** Parses OP_MSG: the kind-0 body plus kind-1 document sequences folded in under their identifiers. */
export function parseOpMsg(message: Buffer): { flags: number; command: Doc } {
  const flags = message.readUInt32LE(HEADER_SIZE);
  const end = message.length - (flags & CHECKSUM_PRESENT ? 4 : 0);
  let offset = HEADER_SIZE + 4;
  let command: Doc | undefined;
  const sequences: Array<[string, Doc[]]> = [];
  while (offset < end) {
    const kind = message.readUInt8(offset++);
    if (kind === 0) {
      const { doc, size } = readDocument(message, offset);
      command = doc;
      offset += size;
    } else if (kind === 1) {
      const sectionEnd = offset + message.readInt32LE(offset);
      const { value: identifier, next } = readCString(message, offset + 4);
      const docs: Doc[] = [];
      for (let at = next; at < sectionEnd; ) {
        const { doc, size } = readDocument(message, at);
        docs.push(doc);
        at += size;
      }
      sequences.push([identifier, docs]);
      offset = sectionEnd;
    } else {
      throw new Error(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!command) throw new Error('OP_MSG without a body section');
  for (const [identifier, docs] of sequences) command[identifier] = docs;
  return { flags, command };
}

/** Parses legacy OP_QUERY (used only for the first handshake): namespace and query document. */
export function parseOpQuery(message: Buffer): { namespace: string; query: Doc } {
  const { value: namespace, next } = readCString(message, HEADER_SIZE + 4);
  const { doc } = readDocument(message, next + 8);
  return { namespace, query: doc };
}

/** One buffer holding the header, the op's fixed fields (`prefix` bytes, zeroed) and the body. */
function frame(responseTo: number, opCode: number, prefix: number, body: Uint8Array): Buffer {
  const length = HEADER_SIZE + prefix + body.length;
  const message = Buffer.allocUnsafe(length);
  message.writeInt32LE(length, 0);
  message.writeInt32LE(nextRequestId(), 4);
  message.writeInt32LE(responseTo, 8);
  message.writeInt32LE(opCode, 12);
  message.fill(0, HEADER_SIZE, HEADER_SIZE + prefix);
  message.set(body, HEADER_SIZE + prefix);
  return message;
}

export function encodeOpMsg(responseTo: number, reply: Doc): Buffer {
  return frame(responseTo, OP_MSG, 5, serialize(reply)); // flagBits 0, section kind 0
}

export function encodeOpReply(responseTo: number, reply: Doc): Buffer {
  // responseFlags, cursorID (int64), startingFrom, numberReturned (1)
  const message = frame(responseTo, OP_REPLY, 20, serialize(reply));
  message.writeInt32LE(1, HEADER_SIZE + 16);
  return message;
}

let requestCounter = 0;
function nextRequestId(): number {
  requestCounter = (requestCounter + 1) & 0x7fffffff;
  return requestCounter;
}
