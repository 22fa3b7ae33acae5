import { historyQuery, idempotencyKeyHeader, objectId, sendMessageBody } from '@chat/shared/api';
import { callerOf, requireCaller } from '@chat/shared/auth';
import { validate } from '@chat/shared/http';
import type { Express, Response } from 'express';
import type { ConversationRepository } from '../../data-access/conversation.repository.js';
import type { KnownUserRepository } from '../../data-access/known-user.repository.js';
import type { MessageRepository } from '../../data-access/message.repository.js';
import { getHistory } from '../../domain/get-history.js';
import { sendMessage } from '../../domain/send-message.js';
import { messagesErrors } from '../../errors.js';
import { toMessageReply } from './message-reply.js';

export interface MessagesRoutesDeps {
  internalTokenSecret: string;
  messages: MessageRepository;
  conversations: ConversationRepository;
  knownUsers: KnownUserRepository;
  notifyOutbox: () => void;
}

function callerIdOf(res: Response): string {
  const { userId } = callerOf(res);
  if (!objectId.safeParse(userId).success) throw messagesErrors.invalidCaller();
  return userId;
}

export function mountMessagesRoutes(app: Express, deps: MessagesRoutesDeps): void {
  const authenticated = requireCaller(deps.internalTokenSecret);

  app.post('/api/messages/send/:id', authenticated, async (req, res) => {
    const senderId = callerIdOf(res);
    const receiverId = validate(objectId, req.params.id, 'MESSAGES.INVALID_ID');
    const key = req.get('idempotency-key');
    const idempotency =
      key === undefined ? undefined : validate(idempotencyKeyHeader, key, 'MESSAGES.INVALID_IDEMPOTENCY_KEY');
    const { message } = validate(sendMessageBody, req.body, 'MESSAGES.INVALID_BODY');
    const stored = await sendMessage(deps, {
      senderId,
      receiverId,
      text: message,
      idempotencyKey: idempotency,
    });
    res.status(201).json(toMessageReply(stored));
  });

  app.get('/api/messages/:id', authenticated, async (req, res) => {
    const callerId = callerIdOf(res);
    const otherId = validate(objectId, req.params.id, 'MESSAGES.INVALID_ID');
    const page = validate(historyQuery, req.query, 'MESSAGES.INVALID_QUERY');
    const history = await getHistory(deps, callerId, otherId, page);
    res.json(history.map(toMessageReply));
  });
}
