import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { describe, expect, test } from 'vitest';
import { LOOPBACK_SOURCES, openLeanSocket, sourceAddress } from '../src/lean-socket.js';
import { socketsPerWorker } from '../src/scenarios/capacity.js';

describe('capacity clients', () => {
  test('sockets to a loopback node come from sixteen loopback addresses in turn; others from the system', () => {
    const url = 'http://127.0.0.1:5000';
    const sources = Array.from({ length: LOOPBACK_SOURCES + 2 }, (_, i) => sourceAddress(url, i));
    expect(new Set(sources).size).toBe(LOOPBACK_SOURCES);
    expect(sources.slice(0, 2)).toEqual(['127.0.0.2', '127.0.0.3']);
    expect(sources[LOOPBACK_SOURCES]).toBe('127.0.0.2');
    expect(sourceAddress('http://localhost:5000', 0)).toBeUndefined();
    expect(sourceAddress('https://chat.example:443', 0)).toBeUndefined();
  });

  test('a lean socket connects from the source address it is given', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const url = `http://127.0.0.1:${address.port}`;
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const opening = openLeanSocket(url, 'token', { localAddress: sourceAddress(url, 5) });
    const [peer] = await accepted;
    expect(peer.remoteAddress).toBe('127.0.0.7');
    peer.destroy();
    await expect(opening).rejects.toThrow('transport closed');
    server.close();
  });

  test('one worker process holds as many sockets as its open-files limit leaves room for', () => {
    expect(socketsPerWorker(20_000)).toBe(19_900);
    expect(Math.ceil(19_000 / socketsPerWorker(20_000))).toBe(1);
    expect(Math.ceil(19_000 / socketsPerWorker(1_024))).toBe(21);
    expect(socketsPerWorker(undefined)).toBe(5_000);
  });
});
