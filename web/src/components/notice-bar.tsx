import { chatStore, useChat } from '../state/chat-store';

/** The last error (the server's own words) or information, until dismissed or replaced. */
export function NoticeBar() {
  const notice = useChat((s) => s.notice);
  if (!notice) return null;
  return (
    <div className={`notice notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
      <span>{notice.text}</span>
      <button type="button" className="link" onClick={() => chatStore.set({ notice: null })}>
        Dismiss
      </button>
    </div>
  );
}

/** Shown while the socket is down; the client retries by itself and catches up when it is back. */
export function ConnectionBanner() {
  const connection = useChat((s) => s.connection);
  if (connection !== 'reconnecting') return null;
  return (
    <div className="banner" role="status" data-testid="reconnecting">
      Reconnecting…
    </div>
  );
}
