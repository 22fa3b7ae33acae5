import { readPresence } from '@chat/shared/redis';
import { describe, expect, test } from 'vitest';
import { waitForCount } from './support/clients.js';
import { useRealtimeCluster } from './support/cluster.js';
import { newUser } from './support/nodes.js';

const rt = useRealtimeCluster({ SOCKET_EVENTS_PER_SECOND: '5' });
const { clients } = rt;

describe('setStatus', () => {
  test('rejects anything but Available/Busy in the ack and changes nothing', async () => {
    const bob = newUser();
    const socket = await clients.connect(rt.urlA, { token: bob.token });
    await socket.setStatus('Busy');

    for (const bad of ['Away', {}, ['Available'], null]) {
      expect(await socket.setStatus(bad)).toMatchObject({ ok: false, code: 'REALTIME.INVALID_STATUS' });
    }

    expect((await readPresence(rt.redis, [bob.userId])).get(bob.userId)?.status).toBe('Busy');
  });

  test('is stored, broadcast as userStatus, and kept across a reconnect to the other node', async () => {
    const bob = newUser();
    const watcher = await clients.connect(rt.urlB, { token: newUser().token });
    const first = await clients.connect(rt.urlA, { token: bob.token });

    expect(await first.setStatus('Busy')).toEqual({ ok: true, status: 'Busy' });
    await waitForCount(() => watcher.statuses(bob.userId), 1, 'the watcher never saw the status');
    expect(watcher.statuses(bob.userId)).toEqual(['Busy']);
    first.socket.close();
    const again = await clients.connect(rt.urlB, { token: bob.token });

    await waitForCount(() => again.statuses(bob.userId), 1, 'no initial status on reconnect');
    expect(again.statuses(bob.userId)).toEqual(['Busy']);
    expect((await readPresence(rt.redis, [bob.userId])).get(bob.userId)?.status).toBe('Busy');
  });

  test('a payload over 1 MB drops only the offending socket', async () => {
    const mallory = newUser();
    const bystander = await clients.connect(rt.urlA, { token: newUser().token });
    const attacker = await clients.connect(rt.urlA, { token: mallory.token });

    attacker.socket.emit('setStatus', 'x'.repeat(1_100_000) as 'Busy', () => undefined);

    expect(await attacker.disconnectReason()).toMatch(/transport (close|error)/);
    expect(await bystander.setStatus('Busy')).toEqual({ ok: true, status: 'Busy' });
    expect((await readPresence(rt.redis, [mallory.userId])).get(mallory.userId)?.status).toBe('Available');
  });

  test('events over the per-socket rate are refused, and a sustained flood disconnects', async () => {
    const flooder = await clients.connect(rt.urlB, { token: newUser().token });

    const acks = await Promise.all(Array.from({ length: 10 }, () => flooder.setStatus('Busy')));

    expect(acks.filter((ack) => ack.ok)).toHaveLength(5);
    expect(acks.filter((ack) => !ack.ok)).toEqual(
      Array.from({ length: 5 }, () => expect.objectContaining({ code: 'REALTIME.RATE_LIMITED' })),
    );
    for (let i = 0; i < 100; i++) flooder.socket.emit('setStatus', 'Busy', () => undefined);
    expect(await flooder.disconnectReason()).toBe('io server disconnect');
  });
});
