export {
  type ChatClient,
  type ConnectOptions,
  connectClient,
  type EventKind,
  eventKey,
  handshakeOutcome,
  openSocket,
  type ReceivedEvent,
  waitForGreeting,
} from './chat-client.js';
export { type CheckOptions, check, summarize, type Verdict } from './checker.js';
export {
  fullHistory,
  jwtOf,
  logIn,
  PASSWORD,
  type Reply,
  request,
  type StoredMessage,
  signUp,
  type User,
} from './clients.js';
export { checkEvents, type EventVerdict, type KindFigures, STATE_EVENTS } from './event-checker.js';
export {
  type FaultStack,
  type Infrastructure,
  type Proxies,
  STACK_SECRETS,
  startFaultStack,
} from './fault-stack.js';
export { type LoadOptions, runLoad, type SendRecord, sendOnce } from './load.js';
export { type Mutation, type MutationRecord, mutateOnce, mutationsFor } from './mutations.js';
export { report } from './report.js';
