import {
  editMessageBody,
  historyQuery,
  idempotencyKeyHeader,
  objectId,
  readConversationBody,
  sendMessageBody,
} from '@chat/shared/api';
import { requireCaller } from '@chat/shared/auth';
import { requestIdOf, validate } from '@chat/shared/http';
import type { Express } from 'express';
import type { ConversationRepository } from '../../data-access/conversation.repository.js';
import type { KnownUserRepository } from '../../data-access/known-user.repository.js';
import type { MessageRepository } from '../../data-access/message.repository.js';
import { deleteMessage } from '../../domain/delete-message.js';
import { editMessage } from '../../domain/edit-message.js';
import { getHistory } from '../../domain/get-history.js';
import type { KeyedSerializer } from '../../domain/keyed-serializer.js';
import { readConversation } from '../../domain/read-conversation.js';
import { sendMessage } from '../../domain/send-message.js';
import { messagesInputCodes } from '../../errors.js';
import { callerIdOf } from './caller.js';
import { toMessageReply } from './message-reply.js';

export interface MessagesRoutesDeps {
  internalTokenSecret: string;
  messages: MessageRepository;
  conversations: ConversationRepository;
  knownUsers: KnownUserRepository;
  notifyOutbox: () => void;
  /** A send hands its message to the relay itself: only wake it. */
  wakeOutbox: () => void;
  sendOrder: KeyedSerializer;
}

// Note the ids: GET /api/messages/:id names the peer; PATCH and DELETE name a message.
export function mountMessagesRoutes(app: Express, deps: MessagesRoutesDeps): void {
  const authenticated = requireCaller(deps.internalTokenSecret);
  const sendDeps = { ...deps, notifyOutbox: deps.wakeOutbox };

  app.post('/api/messages/send/:id', authenticated, async (req, res) => {
    const senderId = callerIdOf(res);
    const receiverId = validate(objectId, req.params.id, messagesInputCodes.id);
    const key = req.get('idempotency-key');
    const idempotency =
      key === undefined ? undefined : validate(idempotencyKeyHeader, key, messagesInputCodes.idempotencyKey);
    const { message } = validate(sendMessageBody, req.body, messagesInputCodes.body);
    const stored = await sendMessage(sendDeps, {
      senderId,
      receiverId,
      text: message,
      idempotencyKey: idempotency,
      correlationId: requestIdOf(res),
    });
    res.status(201).json(toMessageReply(stored));
  });

  app.post('/api/messages/read/:peerId', authenticated, async (req, res) => {
    const readerId = callerIdOf(res);
    const peerId = validate(objectId, req.params.peerId, messagesInputCodes.id);
    const { upTo } = validate(readConversationBody, req.body, messagesInputCodes.body);
    res.json(await readConversation(deps, { readerId, peerId, upTo, correlationId: requestIdOf(res) }));
  });

  app.get('/api/messages/:id', authenticated, async (req, res) => {
    const callerId = callerIdOf(res);
    const otherId = validate(objectId, req.params.id, messagesInputCodes.id);
    const page = validate(historyQuery, req.query, messagesInputCodes.query);
    const history = await getHistory(deps, callerId, otherId, page);
    res.json(history.map(toMessageReply));
  });

  app.patch('/api/messages/:messageId', authenticated, async (req, res) => {
    const callerId = callerIdOf(res);
    const messageId = validate(objectId, req.params.messageId, messagesInputCodes.id);
    const { message } = validate(editMessageBody, req.body, messagesInputCodes.body);
    const edited = await editMessage(deps, {
      callerId,
      messageId,
      text: message,
      correlationId: requestIdOf(res),
    });
    res.json(toMessageReply(edited));
  });

  app.delete('/api/messages/:messageId', authenticated, async (req, res) => {
    const callerId = callerIdOf(res);
    const messageId = validate(objectId, req.params.messageId, messagesInputCodes.id);
    const deleted = await deleteMessage(deps, { callerId, messageId, correlationId: requestIdOf(res) });
    res.json({ ...deleted, deletedAt: deleted.deletedAt.toISOString() });
  });
}
