import { chatStore, useChat } from '../state/chat-store';

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** "While you were busy: 3 messages from Bob, 2 from Carol", until dismissed. */
export function HeldNotice() {
  const held = useChat((s) => s.held);
  const users = useChat((s) => s.users);
  if (!held) return null;
  const parts = held.from.map(({ userId, count }, index) => {
    const name = users[userId]?.fullName ?? 'someone';
    return index === 0 ? `${plural(count, 'message')} from ${name}` : `${count} from ${name}`;
  });
  return (
    <div className="notice notice-info held-notice" role="status" data-testid="held-summary">
      <span>
        While you were busy: {parts.length > 0 ? parts.join(', ') : 'no messages'}.
        {held.dropped > 0 &&
          ` ${plural(held.dropped, 'older one')} ${held.dropped === 1 ? 'is' : 'are'} only in the history.`}
      </span>
      <button type="button" className="link" onClick={() => chatStore.set({ held: null })}>
        Dismiss
      </button>
    </div>
  );
}
