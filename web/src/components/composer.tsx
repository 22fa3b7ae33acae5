import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { features } from '../features';
import { sendTyping } from '../realtime/chat-socket';
import { sendMessage } from '../state/thread-actions';

const MAX_LENGTH = 2_000;
const TYPING_REPEAT_MS = 2_000;
const TYPING_IDLE_MS = 3_000;

/** Tells the peer I am typing (at most every 2 s) and that I stopped (idle 3 s, sent, or left). */
function useTypingNotices(peerId: string) {
  const lastSent = useRef(0);
  const idle = useRef<ReturnType<typeof setTimeout>>(undefined);
  const stop = () => {
    clearTimeout(idle.current);
    if (lastSent.current === 0) return;
    lastSent.current = 0;
    sendTyping(peerId, false);
  };
  const typed = () => {
    if (!features.typing) return;
    if (Date.now() - lastSent.current > TYPING_REPEAT_MS) {
      lastSent.current = Date.now();
      sendTyping(peerId, true);
    }
    clearTimeout(idle.current);
    idle.current = setTimeout(stop, TYPING_IDLE_MS);
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: stop only on leaving this conversation
  useEffect(() => stop, [peerId]);
  return { typed, stop };
}

export function Composer({ peerId }: { peerId: string }) {
  const id = useId();
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const typing = useTypingNotices(peerId);

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    const message = text.trim();
    if (!message || sending) return;
    setSending(true);
    typing.stop();
    if (await sendMessage(peerId, message)) setText('');
    setSending(false);
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void submit();
    }
  };

  return (
    <form className="composer" onSubmit={submit}>
      <label htmlFor={id} className="visually-hidden">
        Message
      </label>
      <textarea
        id={id}
        rows={1}
        maxLength={MAX_LENGTH}
        placeholder="Write a message"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          typing.typed();
        }}
        onKeyDown={onKey}
      />
      <button type="submit" className="primary" disabled={sending || !text.trim()}>
        Send
      </button>
    </form>
  );
}
