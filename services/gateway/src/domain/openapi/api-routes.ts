import {
  blockReply,
  conversationReply,
  deleteMessageReply,
  logoutReply,
  meReply,
  messageReply,
  publicUserReply,
  readConversationReply,
  userListItem,
} from '@chat/shared/api';
import { healthReply, publicReadinessReply } from '../health-replies.js';
import type { ApiRoute } from './api-route.js';
import { AUTH_ROUTES } from './auth-api-routes.js';
import { MESSAGES_ROUTES, USERS_ROUTES } from './chat-api-routes.js';

const health: ApiRoute[] = [
  {
    method: 'get',
    path: '/healthz',
    operationId: 'healthz',
    summary: 'The gateway is alive',
    tag: 'health',
    auth: false,
    success: { status: 200, description: 'Alive', schema: healthReply },
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'readyz',
    summary: 'The gateway can serve (Redis reachable)',
    tag: 'health',
    auth: false,
    success: { status: 200, description: 'Ready', schema: publicReadinessReply },
    otherReplies: [{ status: 503, description: 'Not ready', schema: publicReadinessReply }],
  },
];

/** Every public route, in the order the description lists them. */
export const API_ROUTES: readonly ApiRoute[] = [
  ...AUTH_ROUTES,
  ...USERS_ROUTES,
  ...MESSAGES_ROUTES,
  ...health,
];

/** Reply schemas shown under their own names in `components.schemas`. */
export const NAMED_REPLIES = {
  PublicUser: publicUserReply,
  Me: meReply,
  LogoutReply: logoutReply,
  UserListItem: userListItem,
  BlockReply: blockReply,
  MessageReply: messageReply,
  DeleteMessageReply: deleteMessageReply,
  ReadConversationReply: readConversationReply,
  ConversationReply: conversationReply,
  HealthReply: healthReply,
  ReadinessReply: publicReadinessReply,
} as const;
