import { useEffect, useState } from 'react';
import { features } from '../features';
import { useChat } from '../state/chat-store';
import { setBlocked } from '../state/directory-actions';
import { markRead, selectPeer } from '../state/thread-actions';
import { Composer } from './composer';
import { MessageList } from './message-list';
import { Avatar, presenceText } from './user-bits';

function TypingIndicator({ peerId, name }: { peerId: string; name: string }) {
  const until = useChat((s) => s.typingUntil[peerId] ?? 0);
  const [, rerender] = useState(0);
  // Expire on our own clock: the peer's "stopped typing" may never come.
  useEffect(() => {
    const left = until - Date.now();
    if (left <= 0) return;
    const timer = setTimeout(() => rerender((n) => n + 1), left + 10);
    return () => clearTimeout(timer);
  }, [until]);
  const typing = features.typing && until > Date.now();
  return (
    <p className="typing muted" aria-live="polite">
      {typing ? `${name} is typing…` : ''}
    </p>
  );
}

function useMarkReadWhileViewing(peerId: string): void {
  const latestFromPeer = useChat(
    (s) => s.threads[peerId]?.messages.findLast((m) => m.senderId === peerId)?._id,
  );
  useEffect(() => {
    if (latestFromPeer && document.visibilityState === 'visible') void markRead(peerId);
  }, [peerId, latestFromPeer]);
  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === 'visible') void markRead(peerId);
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [peerId]);
}

export function ConversationPane({ peerId }: { peerId: string }) {
  const user = useChat((s) => s.users[peerId]);
  const online = useChat((s) => s.online[peerId] === true);
  const status = useChat((s) => s.statuses[peerId]);
  useMarkReadWhileViewing(peerId);
  if (!user) return <p className="empty">This person is not in your list.</p>;
  return (
    <section className="conversation" aria-labelledby="peer-name">
      <header className="peer-bar">
        <button type="button" className="back" onClick={() => selectPeer(null)}>
          <span aria-hidden="true">←</span>
          <span className="visually-hidden">Back to conversations</span>
        </button>
        <Avatar src={user.profilePic} online={online} />
        <div className="peer-text">
          <h2 id="peer-name">{user.fullName}</h2>
          <span className="muted" data-testid="peer-presence">
            {presenceText(online, status)}
          </span>
        </div>
        {features.blocking && (
          <button type="button" className="link" onClick={() => void setBlocked(peerId, !user.blocked)}>
            {user.blocked ? 'Unblock' : 'Block'}
          </button>
        )}
      </header>
      <MessageList peerId={peerId} />
      <TypingIndicator peerId={peerId} name={user.fullName} />
      {features.blocking && user.blocked ? (
        <p className="blocked-note">You blocked {user.fullName}. Unblock them to send messages.</p>
      ) : (
        <Composer peerId={peerId} />
      )}
    </section>
  );
}
