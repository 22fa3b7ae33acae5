import { useLayoutEffect, useRef } from 'react';
import { emptyThread, useChat } from '../state/chat-store';
import { loadOlder } from '../state/thread-actions';
import { MessageItem } from './message-item';

const NEAR_TOP_PX = 80;
const NEAR_BOTTOM_PX = 48;

interface ScrollSnapshot {
  firstId?: string;
  lastId?: string;
  height: number;
  atBottom: boolean;
}

/** The thread, newest at the bottom; scrolling near the top fetches the page before the oldest shown. */
export function MessageList({ peerId }: { peerId: string }) {
  const thread = useChat((s) => s.threads[peerId] ?? emptyThread);
  const myId = useChat((s) => s.me?._id ?? '');
  const ref = useRef<HTMLOListElement>(null);
  const snapshot = useRef<ScrollSnapshot>({ height: 0, atBottom: true });
  const { messages } = thread;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const before = snapshot.current;
    const first = messages[0]?._id;
    const last = messages.at(-1)?._id;
    const prepended = before.firstId !== undefined && first !== before.firstId && last === before.lastId;
    const mineAdded = last !== before.lastId && messages.at(-1)?.senderId === myId;
    if (prepended) el.scrollTop += el.scrollHeight - before.height;
    else if (before.atBottom || mineAdded) el.scrollTop = el.scrollHeight;
    snapshot.current = {
      firstId: first,
      lastId: last,
      height: el.scrollHeight,
      atBottom: before.atBottom || mineAdded,
    };
  }, [messages, myId]);

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    snapshot.current.atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    snapshot.current.height = el.scrollHeight;
    if (el.scrollTop < NEAR_TOP_PX) void loadOlder(peerId);
  };

  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <ol className="messages" ref={ref} onScroll={onScroll} tabIndex={0} aria-label="Messages">
      <li className="history-edge muted">
        {!thread.loaded ? (
          'Loading…'
        ) : thread.loadingOlder ? (
          'Loading older messages…'
        ) : thread.hasMore ? (
          <button type="button" className="link" onClick={() => void loadOlder(peerId)}>
            Load older messages
          </button>
        ) : (
          'Start of your conversation'
        )}
      </li>
      {messages.map((message) => (
        <MessageItem key={message._id} message={message} mine={message.senderId === myId} peerId={peerId} />
      ))}
    </ol>
  );
}
