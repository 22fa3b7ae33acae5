import { useChat } from '../state/chat-store';
import { ConversationPane } from './conversation-pane';
import { ConnectionBanner, NoticeBar } from './notice-bar';
import { Sidebar } from './sidebar';

export function ChatPage() {
  const selected = useChat((s) => s.selectedPeerId);
  return (
    <div className="chat" data-view={selected ? 'thread' : 'list'}>
      <ConnectionBanner />
      <NoticeBar />
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
