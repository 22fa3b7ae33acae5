import { newEventEnvelope } from '@chat/shared/events';
import type { BlockRepository, PairState } from '../data-access/block.repository.js';
import type { UserRepository } from '../data-access/user.repository.js';
import { usersErrors } from '../errors.js';

export interface SetBlockDeps {
  users: UserRepository;
  blocks: BlockRepository;
  /** Called after a real change was stored with its pending event: wakes the outbox relay. */
  onChanged: () => void;
}

export interface SetBlockResult {
  userId: string;
  blocked: boolean;
  /** false when the pair already was in the asked state (nothing written, nothing published). */
  changed: boolean;
}

// A round is lost only to a change that succeeded, and a re-read then usually finds the pair settled; only
// a storm of opposite requests on one pair could outlast this, and it gets a 409 rather than a loop.
const MAX_ATTEMPTS = 20;

/** Strictly after the pair's previous change, so consumers may drop events older than what they applied. */
function nextOccurredAt(current: PairState | null): Date {
  const now = Date.now();
  return new Date(current ? Math.max(now, current.changedAt.getTime() + 1) : now);
}

/**
 * Block (`blocked: true`) or unblock `targetId` for `callerId`. Idempotent: asking for the state the pair is
 * already in writes and publishes nothing. Concurrent changes of one pair are serialized by a
 * compare-and-set on the pair's version, so the stored events form one history in the order applied.
 */
export async function setBlock(
  deps: SetBlockDeps,
  callerId: string,
  targetId: string,
  blocked: boolean,
): Promise<SetBlockResult> {
  if (callerId === targetId) throw usersErrors.selfBlock();
  if (!(await deps.users.exists(targetId))) throw usersErrors.userNotFound();
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const current = await deps.blocks.findPair(callerId, targetId);
    if ((current?.blocked ?? false) === blocked) return { userId: targetId, blocked, changed: false };
    const { eventId } = newEventEnvelope();
    const stored = await deps.blocks.recordChange({
      blockerId: callerId,
      blockedId: targetId,
      blocked,
      expectedVersion: current?.version ?? 0,
      event: { eventId, occurredAt: nextOccurredAt(current) },
    });
    if (stored) {
      deps.onChanged();
      return { userId: targetId, blocked, changed: true };
    }
  }
  throw usersErrors.blockContended();
}
