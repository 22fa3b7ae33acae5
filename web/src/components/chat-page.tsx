import { useEffect } from 'react';
import { useChat } from '../state/chat-store';
import { ConversationPane } from './conversation-pane';
import { HeldNotice } from './held-notice';
import { ConnectionBanner, NoticeBar } from './notice-bar';
import { Sidebar } from './sidebar';

/** Unread messages in the tab's title, so a background tab shows that something came in. */
function useUnreadTitle(): void {
  const unread = useChat((s) => Object.values(s.summaries).reduce((sum, summary) => sum + summary.unread, 0));
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Chat` : 'Chat';
    return () => {
      document.title = 'Chat';
    };
  }, [unread]);
}

export function ChatPage() {
  const selected = useChat((s) => s.selectedPeerId);
  useUnreadTitle();
  return (
    <div className="chat" data-view={selected ? 'thread' : 'list'}>
      <ConnectionBanner />
      <NoticeBar />
      <HeldNotice />
      <div className="chat-body">
        <Sidebar />
        <main className="pane" aria-label="Conversation">
          {selected ? (
            <ConversationPane key={selected} peerId={selected} />
          ) : (
            <p className="empty">Pick someone on the left to start chatting.</p>
          )}
        </main>
      </div>
    </div>
  );
}
