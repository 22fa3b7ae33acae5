import type { EventKind } from './chat-client.js';
import { request, type User } from './clients.js';

export type MutationKind = 'read' | 'edit' | 'delete';

/** One read, edit or delete and what its actor finally learnt. */
export interface MutationRecord {
  kind: MutationKind;
  actor: User;
  /** The other party of the conversation. */
  peer: User;
  /** The message edited or deleted, or the read mark asked for. */
  messageId: string;
  /** The new text of an edit (unique per edit). */
  text?: string;
  /** `ok`: a 200; `failed`: refused for good (4xx); `unknown`: no definite answer by the deadline. */
  outcome: 'ok' | 'failed' | 'unknown';
  /**
   * The socket event both parties must get once, keyed as `eventKey` keys it; absent when the reply says
   * nothing changed (a read at or behind the current mark).
   */
  event?: { kind: EventKind; key: string };
  attempts: number;
  errors: string[];
}

export type Mutation = Pick<MutationRecord, 'kind' | 'actor' | 'peer' | 'messageId' | 'text'>;

function call(m: Mutation): { method: string; path: string; body?: unknown } {
  if (m.kind === 'read')
    return { method: 'POST', path: `/api/messages/read/${m.peer._id}`, body: { upTo: m.messageId } };
  if (m.kind === 'edit')
    return { method: 'PATCH', path: `/api/messages/${m.messageId}`, body: { message: m.text } };
  return { method: 'DELETE', path: `/api/messages/${m.messageId}` };
}

type ReplyBody = Record<string, unknown>;
const str = (body: ReplyBody, name: string) => (typeof body[name] === 'string' ? body[name] : '');

/** The event a successful reply announces, keyed from what the reply says. */
function eventOf(m: Mutation, body: ReplyBody): MutationRecord['event'] {
  if (m.kind === 'edit') return { kind: 'messageUpdated', key: `${m.messageId}|${str(body, 'editedAt')}` };
  if (m.kind === 'delete') return { kind: 'messageDeleted', key: m.messageId };
  if (str(body, 'upTo') !== m.messageId) return undefined;
  return { kind: 'messagesRead', key: `${str(body, 'conversationId')}|${m.actor._id}|${m.messageId}` };
}

/**
 * Perform one mutation like a careful client: retried through 5xx, 429 and network errors until a definite
 * answer. An edit retried after a lost reply may land twice, each with its own edit time: only the
 * acknowledged one is expected.
 */
export async function mutateOnce(baseUrl: string, m: Mutation, retryForMs = 30_000): Promise<MutationRecord> {
  const record: MutationRecord = { ...m, outcome: 'unknown', attempts: 0, errors: [] };
  const deadline = Date.now() + retryForMs;
  const { method, path, body } = call(m);
  while (Date.now() < deadline) {
    record.attempts++;
    try {
      const reply = await request<ReplyBody>(baseUrl, path, {
        method,
        cookie: m.actor.cookie,
        body,
        timeoutMs: 10_000,
      });
      if (reply.status === 200) return { ...record, outcome: 'ok', event: eventOf(m, reply.body) };
      record.errors.push(`${reply.status} ${reply.text.slice(0, 100)}`);
      if (reply.status < 500 && reply.status !== 429) return { ...record, outcome: 'failed' };
    } catch (err) {
      record.errors.push(err instanceof Error ? err.message : String(err));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return record;
}

/**
 * For one conversation's acknowledged messages (oldest first): the sender edits the first and deletes the
 * second, and the receiver reads up to the last. Needs at least three messages; fewer give no mutation.
 */
export function mutationsFor(sender: User, receiver: User, messageIds: string[], run: string): Mutation[] {
  const [first, second] = messageIds;
  const last = messageIds.at(-1);
  if (!first || !second || !last || messageIds.length < 3) return [];
  return [
    { kind: 'edit', actor: sender, peer: receiver, messageId: first, text: `edit-${run}-${first}` },
    { kind: 'delete', actor: sender, peer: receiver, messageId: second },
    { kind: 'read', actor: receiver, peer: sender, messageId: last },
  ];
}
