/**
 * What a store script is told to do for the fact it finds: the domain's decision (delivery-rules.ts) in
 * a form the scripts carry out as given. The facts are the scripts' vocabulary of what they can find.
 */
export interface Plan {
  /** Keep the message in the recipient's hold (message.created only). */
  hold: boolean;
  /** Encoded emits (`{to, event, data}` JSON), published in order. */
  emits: string[];
}

export type Plans<F extends string> = Partial<Record<F, Plan>>;

/**
 * Plans as a script's last arguments: (fact, plan JSON) pairs, so the script decodes only the plan of the
 * fact it found (`plan_for(fact, from)` in user-events.ts), not every fact's.
 */
export function planArgs<F extends string>(plans: Plans<F>): string[] {
  const args: string[] = [];
  for (const [fact, plan] of Object.entries<Plan | undefined>(plans)) {
    if (plan) args.push(fact, JSON.stringify(plan));
  }
  return args;
}

/** Switching to Available: `summary` once (when there was a Busy status or a hold), then `each` per message. */
export interface ReleasePlan {
  summary: Plan;
  each: Plan;
}

/** message.created: a redelivery is `duplicate` besides these; `offlineBusy` = offline and Busy. */
export type CreatedFact = 'available' | 'busy' | 'offline' | 'offlineBusy' | 'blocked' | 'deleted';
/** message.updated: `stale` when a newer edit was applied, `held` when the copy is still held. */
export type UpdatedFact = 'applied' | 'held' | 'stale' | 'deleted';
/** message.deleted: `already` when deleted before. */
export type DeletedFact = 'applied' | 'held' | 'already';
/** typing: `unavailable` covers offline, Busy and a block either way. */
export type TypingFact = 'forwarded' | 'unavailable' | 'throttled';

/**
 * What a plan may leave for the store to fill in when it carries it out: `message` (a JSON string value
 * replaced by the stored message JSON — its latest edit, when an edit overtook the creation), and
 * `sender` / `messageId` (inside JSON strings) for each message released from a hold, and `summary` (a JSON
 * string value replaced by the held summary object).
 */
export const PLACEHOLDERS = {
  message: '$MESSAGE$',
  sender: '$SENDER$',
  messageId: '$MESSAGE_ID$',
  summary: '$SUMMARY$',
} as const;
