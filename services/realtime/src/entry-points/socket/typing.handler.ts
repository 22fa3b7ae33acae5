import type { Logger } from '@chat/shared/logger';
import type { TypingAck } from '@chat/shared/sockets';
import { z } from 'zod';
import type { RelationsStore } from '../../data-access/relations.store.js';
import { forwardTyping } from '../../domain/typing.js';
import { ackErrors } from '../../errors.js';
import type { RealtimeSocket } from './io.server.js';
import { replyOf } from './set-status.handler.js';

const typingInput = z.strictObject({
  to: z.string().regex(/^[0-9a-f]{24}$/),
  typing: z.boolean(),
});

/**
 * `typing({to, typing}, ack?)`: validated, then forwarded when the rules allow. The ack is `{ok: true}`
 * whether or not it was forwarded (nothing leaks about the recipient); never thrown.
 */
export function handleTyping(
  socket: RealtimeSocket,
  deps: { relations: RelationsStore; logger: Logger },
): void {
  socket.on('typing', (raw: unknown, ack: unknown) => {
    const reply = replyOf<TypingAck>(raw, ack);
    const from = socket.data.userId;
    const parsed = typingInput.safeParse(raw);
    if (!parsed.success || parsed.data.to === from) return reply(ackErrors.invalidTyping());
    forwardTyping(deps, { from, ...parsed.data }).then(
      () => reply({ ok: true }),
      (err: unknown) => {
        deps.logger.warn({ err, userId: from }, 'typing failed');
        reply(ackErrors.unavailable());
      },
    );
  });
}
