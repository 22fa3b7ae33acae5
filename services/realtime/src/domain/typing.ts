import type { TypingFact } from '../data-access/plan.js';
import type { RelationsStore } from '../data-access/relations.store.js';
import { typingPlans } from './delivery-rules.js';

/** Forward a typing notice from `from` to `to` when the rules allow (see typingPlans); never stored. */
export function forwardTyping(
  deps: { relations: RelationsStore; now?: () => number },
  input: { from: string; to: string; typing: boolean },
): Promise<TypingFact> {
  const now = deps.now ?? Date.now;
  return deps.relations.typing({
    ...input,
    now: now(),
    plans: typingPlans(input.from, input.to, input.typing),
  });
}
