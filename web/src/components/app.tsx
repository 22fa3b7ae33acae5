import { useChat } from '../state/chat-store';
import { AuthPage } from './auth-page';
import { ChatPage } from './chat-page';

export function App() {
  const booting = useChat((s) => s.booting);
  const signedIn = useChat((s) => s.me !== null);
  if (booting)
    return (
      <p className="splash" role="status">
        Loading…
      </p>
    );
  return signedIn ? <ChatPage /> : <AuthPage />;
}
