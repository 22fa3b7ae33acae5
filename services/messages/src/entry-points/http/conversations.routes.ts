import { conversationsQuery } from '@chat/shared/api';
import { requireCaller } from '@chat/shared/auth';
import { validate } from '@chat/shared/http';
import type { Express } from 'express';
import type { ConversationRepository } from '../../data-access/conversation.repository.js';
import type { MessageRepository } from '../../data-access/message.repository.js';
import { listConversations } from '../../domain/list-conversations.js';
import { messagesInputCodes } from '../../errors.js';
import { callerIdOf } from './caller.js';
import { toMessageReply } from './message-reply.js';

export function mountConversationsRoutes(
  app: Express,
  deps: { internalTokenSecret: string; messages: MessageRepository; conversations: ConversationRepository },
): void {
  app.get('/api/conversations', requireCaller(deps.internalTokenSecret), async (req, res) => {
    const callerId = callerIdOf(res);
    const page = validate(conversationsQuery, req.query, messagesInputCodes.query);
    const summaries = await listConversations(deps, callerId, page);
    res.json(summaries.map((s) => ({ ...s, lastMessage: toMessageReply(s.lastMessage) })));
  });
}
