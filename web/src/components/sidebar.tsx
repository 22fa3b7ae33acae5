import { useEffect, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ChatMessage, DirectoryUser } from '../api/types';
import { type ChatState, chatStore, useChat } from '../state/chat-store';
import { loadUsers } from '../state/directory-actions';
import { logout, logoutEverywhere } from '../state/session-actions';
import { selectPeer } from '../state/thread-actions';
import { StatusControl, untilText } from './status-control';
import { Avatar, presenceText } from './user-bits';

function preview(message: ChatMessage | undefined, myId: string): string {
  if (!message) return '';
  const text = message.deletedAt ? 'Message deleted' : message.message;
  return message.senderId === myId ? `You: ${text}` : text;
}

/** Recent conversations first, then everyone else in the server's order. */
function orderedUsers(s: ChatState): DirectoryUser[] {
  const listed = s.userOrder.map((id) => s.users[id]).filter((u): u is DirectoryUser => u !== undefined);
  const lastAt = (u: DirectoryUser) => s.summaries[u._id]?.lastMessage?.createdAt ?? '';
  return listed
    .map((user, index) => ({ user, index }))
    .sort((a, b) =>
      lastAt(a.user) === lastAt(b.user) ? a.index - b.index : lastAt(a.user) < lastAt(b.user) ? 1 : -1,
    )
    .map(({ user }) => user);
}

function MeBar() {
  const me = useChat((s) => s.me);
  if (!me) return null;
  return (
    <header className="me-bar">
      <Avatar src={me.profilePic} />
      <div className="me-name">
        <strong>{me.fullName}</strong>
        <span className="muted">@{me.username}</span>
      </div>
      <StatusControl />
      <div className="session-actions">
        <button type="button" className="link" onClick={() => void logout()}>
          Log out
        </button>
        <button
          type="button"
          className="link"
          title="End every session of this account, on every device"
          onClick={() => void logoutEverywhere()}
        >
          Sign out everywhere
        </button>
      </div>
    </header>
  );
}

function SearchBox() {
  const id = useId();
  const [query, setQuery] = useState(() => chatStore.get().query);
  useEffect(() => {
    if (query === chatStore.get().query) return;
    const timer = setTimeout(() => void loadUsers(query), 250);
    return () => clearTimeout(timer);
  }, [query]);
  return (
    <search className="search">
      <label htmlFor={id} className="visually-hidden">
        Search people
      </label>
      <input
        id={id}
        type="search"
        placeholder="Search people"
        maxLength={50}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
    </search>
  );
}

function UserRow({ user }: { user: DirectoryUser }) {
  const myId = useChat((s) => s.me?._id ?? '');
  const online = useChat((s) => s.online[user._id] === true);
  const status = useChat((s) => s.statuses[user._id]);
  const until = useChat((s) => s.statusUntil[user._id]);
  const summary = useChat((s) => s.summaries[user._id]);
  const selected = useChat((s) => s.selectedPeerId === user._id);
  const unread = summary?.unread ?? 0;
  return (
    <li>
      <button
        type="button"
        className="user-row"
        data-user-id={user._id}
        aria-current={selected ? 'true' : undefined}
        onClick={() => selectPeer(user._id)}
      >
        <Avatar src={user.profilePic} online={online} />
        <span className="user-text">
          <span className="user-name">{user.fullName}</span>
          <span className="user-status muted" data-presence={presenceText(online, status)}>
            {presenceText(online, status)}
            {online && status === 'Busy' && until ? ` until ${untilText(until)}` : ''}
            {user.blocked ? ' · Blocked' : ''}
          </span>
          <span className="preview muted">{preview(summary?.lastMessage, myId)}</span>
        </span>
        {unread > 0 && (
          <span className="badge" data-testid="unread">
            {unread}
            <span className="visually-hidden"> unread</span>
          </span>
        )}
      </button>
    </li>
  );
}

export function Sidebar() {
  const users = useChat(useShallow(orderedUsers));
  return (
    <aside className="sidebar" aria-label="People and conversations">
      <MeBar />
      <SearchBox />
      <nav aria-label="Conversations">
        {users.length === 0 ? (
          <p className="empty">No one found.</p>
        ) : (
          <ul className="user-list">
            {users.map((user) => (
              <UserRow key={user._id} user={user} />
            ))}
          </ul>
        )}
      </nav>
    </aside>
  );
}
