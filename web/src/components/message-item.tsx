import { type KeyboardEvent, useId, useState } from 'react';
import type { ChatMessage } from '../api/types';
import { features } from '../features';
import { useChat } from '../state/chat-store';
import { isAfter } from '../state/merge-messages';
import { deleteMessage, editMessage } from '../state/thread-actions';

type Tick = 'sent' | 'deferred' | 'delivered' | 'read';

const tickLabels: Record<Tick, string> = {
  sent: 'Sent',
  deferred: 'Deferred (they are Busy)',
  delivered: 'Delivered',
  read: 'Read',
};
const tickMarks: Record<Tick, string> = { sent: '✓', deferred: '◷', delivered: '✓✓', read: '✓✓' };

function useTick(message: ChatMessage, peerId: string): Tick {
  const delivery = useChat((s) => s.deliveries[message._id]);
  const readUpTo = useChat((s) => s.summaries[peerId]?.peerLastReadId);
  if (features.readReceipts && readUpTo && !isAfter(message._id, readUpTo)) return 'read';
  return delivery ?? 'sent';
}

function time(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function Editor({ message, done }: { message: ChatMessage; done: () => void }) {
  const id = useId();
  const [text, setText] = useState(message.message);
  const save = async () => {
    if (text.trim() && text !== message.message && !(await editMessage(message._id, text))) return;
    done();
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') void save();
    if (e.key === 'Escape') done();
  };
  return (
    <span className="editor">
      <label htmlFor={id} className="visually-hidden">
        Edit message
      </label>
      {/* biome-ignore lint/a11y/noAutofocus: the user just asked to edit this message */}
      <input id={id} value={text} onChange={(e) => setText(e.target.value)} onKeyDown={onKey} autoFocus />
      <button type="button" onClick={() => void save()}>
        Save
      </button>
      <button type="button" className="link" onClick={done}>
        Cancel
      </button>
    </span>
  );
}

function OwnActions({ message, edit }: { message: ChatMessage; edit: () => void }) {
  if (!features.editDelete || message.deletedAt) return null;
  return (
    <span className="actions">
      <button type="button" className="link" onClick={edit}>
        Edit
      </button>
      <button type="button" className="link" onClick={() => void deleteMessage(message._id)}>
        Delete
      </button>
    </span>
  );
}

export function MessageItem({
  message,
  mine,
  peerId,
}: {
  message: ChatMessage;
  mine: boolean;
  peerId: string;
}) {
  const [editing, setEditing] = useState(false);
  const tick = useTick(message, peerId);
  return (
    <li className={`message ${mine ? 'mine' : 'theirs'}`} data-message-id={message._id}>
      <div className="bubble">
        {editing ? (
          <Editor message={message} done={() => setEditing(false)} />
        ) : message.deletedAt ? (
          <em className="muted">Message deleted</em>
        ) : (
          <span className="text">{message.message}</span>
        )}
      </div>
      <div className="meta muted">
        <time dateTime={message.createdAt}>{time(message.createdAt)}</time>
        {message.editedAt && !message.deletedAt && <span className="edited"> · edited</span>}
        {mine && (
          <span className={`tick tick-${tick}`} data-tick={tick} title={tickLabels[tick]}>
            {' '}
            <span aria-hidden="true">{tickMarks[tick]}</span>
            <span className="tick-label">{tick === 'sent' ? '' : ` ${tick}`}</span>
            <span className="visually-hidden">{tick === 'sent' ? ' Sent' : ''}</span>
          </span>
        )}
        {mine && !editing && <OwnActions message={message} edit={() => setEditing(true)} />}
      </div>
    </li>
  );
}
