import { describe, expect, test } from 'vitest';
import { acceptFor, clientFrame, createFrameReader, OPCODE } from '../src/websocket-frames.js';

/** A server's (unmasked) frame, with the length forms RFC 6455 gives each size. */
function serverFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const n = payload.length;
  const head =
    n < 126
      ? Buffer.from([n])
      : n < 65_536
        ? Buffer.from([126, n >> 8, n & 0xff])
        : Buffer.concat([
            Buffer.from([127]),
            Buffer.from([0, 0, 0, 0, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]),
          ]);
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode]), head, payload]);
}

/** What a server reads out of a client frame: opcode, mask bit, unmasked payload. */
function readClientFrame(frame: Buffer): { opcode: number; masked: boolean; payload: Buffer } {
  const short = (frame[1] ?? 0) & 0x7f;
  const header = short === 126 ? 4 : short === 127 ? 10 : 2;
  const length = short === 126 ? frame.readUInt16BE(2) : short === 127 ? frame.readUInt32BE(6) : short;
  const mask = frame.subarray(header, header + 4);
  const payload = Buffer.from(frame.subarray(header + 4, header + 4 + length));
  for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i & 3] ?? 0);
  expect(frame.length).toBe(header + 4 + length);
  return { opcode: (frame[0] ?? 0) & 0x0f, masked: ((frame[1] ?? 0) & 0x80) !== 0, payload };
}

describe('bench WebSocket frames', () => {
  test('the accept key is the one of RFC 6455’s example handshake', () => {
    expect(acceptFor('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  test.each([0, 2, 125, 126, 65_535, 65_536])(
    'a %i-byte client frame is masked and unmasks to its payload',
    (n) => {
      const payload = Buffer.alloc(n, 'x');
      const frame = readClientFrame(clientFrame(OPCODE.text, payload));
      expect(frame).toEqual({ opcode: OPCODE.text, masked: true, payload });
    },
  );

  test('server frames come out whole however the stream is cut', () => {
    const frames = [
      serverFrame(OPCODE.text, Buffer.from('0{"sid":"a"}')),
      serverFrame(OPCODE.text, Buffer.alloc(300, 'y')),
      serverFrame(OPCODE.ping, Buffer.alloc(0)),
      serverFrame(OPCODE.text, Buffer.alloc(70_000, 'z')),
    ];
    const stream = Buffer.concat(frames);
    for (const cut of [1, 2, 3, 7, 130, 4096]) {
      const reader = createFrameReader();
      const out = [];
      for (let at = 0; at < stream.length; at += cut) out.push(...reader.push(stream.subarray(at, at + cut)));
      expect(out.map((f) => [f.opcode, f.payload.length])).toEqual([
        [OPCODE.text, 12],
        [OPCODE.text, 300],
        [OPCODE.ping, 0],
        [OPCODE.text, 70_000],
      ]);
      expect(out[0]?.payload.toString()).toBe('0{"sid":"a"}');
    }
  });

  test('a masked or fragmented server frame is refused', () => {
    const masked = serverFrame(OPCODE.text, Buffer.from('hi'));
    masked[1] = (masked[1] ?? 0) | 0x80;
    expect(() => createFrameReader().push(masked)).toThrow('masked server frame');
    expect(() => createFrameReader().push(serverFrame(OPCODE.text, Buffer.from('hi'), false))).toThrow(
      'fragmented frame',
    );
  });
});
