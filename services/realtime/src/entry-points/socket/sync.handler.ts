import type { Logger } from '@chat/shared/logger';
import type { SyncAck } from '@chat/shared/sockets';
import { z } from 'zod';
import type { UserSeqStore } from '../../data-access/user-seq.store.js';
import { syncSince } from '../../domain/sync.js';
import { ackErrors } from '../../errors.js';
import type { RealtimeSocket } from './io.server.js';
import { replyOf } from './set-status.handler.js';

// A seq as the server hands it out ("<ms>-<n>"); a bare "<ms>" means "<ms>-0".
const seqPattern = /^(\d{1,16})(?:-(\d{1,19}))?$/;

const syncInput = z.union([
  z.strictObject({ since: z.union([z.literal(''), z.string().regex(seqPattern)]).optional() }),
  z.undefined(),
]);

function normalised(since: string | undefined): string {
  const match = seqPattern.exec(since ?? '');
  if (!match) return '';
  return `${BigInt(match[1] ?? '0')}-${BigInt(match[2] ?? '0')}`;
}

/** `sync({since}, ack)`: catch-up from the user's sequence; validated, answered, never thrown. */
export function handleSync(socket: RealtimeSocket, deps: { seqs: UserSeqStore; logger: Logger }): void {
  socket.on('sync', (raw: unknown, ack: unknown) => {
    const reply = replyOf<SyncAck>(raw, ack);
    const parsed = syncInput.safeParse(typeof raw === 'function' ? undefined : raw);
    if (!parsed.success) return reply(ackErrors.invalidSync());
    const { userId } = socket.data;
    syncSince(deps, userId, normalised(parsed.data?.since)).then(reply, (err: unknown) => {
      deps.logger.error({ err, userId }, 'sync failed');
      reply(ackErrors.unavailable());
    });
  });
}
