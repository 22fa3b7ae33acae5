import { chatApi } from '../api/chat-api';
import { ApiError } from '../api/http-client';
import type { Me, SignupInput } from '../api/types';
import { resetSeq } from '../realtime/catch-up';
import { closeSocket, openSocket } from '../realtime/chat-socket';
import { socketHooks } from '../realtime/socket-events';
import { chatStore, initialState } from './chat-store';
import { errorMessage, loadConversations, loadUsers } from './directory-actions';

const RETRY_REFUSED_MS = 2_000;

function startSession(me: Me): void {
  chatStore.set({ ...initialState(), booting: false, me, connection: 'connecting' });
  resetSeq();
  openSocket(socketHooks);
  void loadUsers();
  void loadConversations();
}

/** Drops everything of the signed-in user: socket first, so no event lands in the next session. */
export function endSession(notice?: string): void {
  closeSocket();
  chatStore.set({
    ...initialState(),
    booting: false,
    notice: notice ? { kind: 'info', text: notice } : null,
  });
}

/** On page load: resume the session the cookie holds, or show the login form. */
export async function bootstrap(): Promise<void> {
  try {
    startSession(await chatApi.me());
  } catch {
    chatStore.set({ booting: false });
  }
}

export async function login(username: string, password: string): Promise<void> {
  startSession(await chatApi.login(username, password));
}

export async function signup(input: SignupInput): Promise<void> {
  startSession(await chatApi.signup(input));
}

export async function logout(): Promise<void> {
  try {
    await chatApi.logout();
  } finally {
    endSession('You are logged out.');
  }
}

/** Signs this person out on every device: every session of theirs ends, this one included. */
export async function logoutEverywhere(): Promise<void> {
  try {
    await chatApi.logoutAll();
    endSession('You are signed out on every device.');
  } catch (error) {
    // Not signed out anywhere: say so and stay (a 429 or an outage), unless the session was already gone.
    if (error instanceof ApiError && error.status === 401)
      endSession('Your session ended. Please log in again.');
    else chatStore.set({ notice: { kind: 'error', text: errorMessage(error) } });
  }
}

/** The server closed the socket on purpose: a revoked or expired session goes back to the login form. */
export async function sessionExpired(): Promise<void> {
  try {
    await chatApi.me();
    // Still signed in (a refused handshake during an outage): try again shortly, catching up once back.
    chatStore.set({ connection: 'reconnecting' });
    setTimeout(() => {
      if (chatStore.get().me) openSocket(socketHooks, true);
    }, RETRY_REFUSED_MS);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401)
      endSession('Your session ended. Please log in again.');
    else chatStore.set({ connection: 'reconnecting' });
  }
}
