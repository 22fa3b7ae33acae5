import { invalidTokenError } from '@chat/shared/auth';
import { AppError } from '@chat/shared/http';

/** Every error the messages service answers with, by code. */
export const messagesErrors = {
  // The gateway only mints tokens for real user ids; anything else is not a caller we can serve.
  invalidCaller: () => invalidTokenError('MESSAGES.INVALID_CALLER'),
  selfSend: () => new AppError('MESSAGES.SELF_SEND', 400, 'You cannot send a message to yourself'),
  receiverNotFound: () => new AppError('MESSAGES.RECEIVER_NOT_FOUND', 404, 'Receiver not found'),
  idempotencyKeyReused: () =>
    new AppError(
      'MESSAGES.IDEMPOTENCY_KEY_REUSED',
      409,
      'This Idempotency-Key was already used for a different message',
    ),
  blocked: () => new AppError('MESSAGES.BLOCKED', 403, "You can't message this user"),
  messageNotFound: () => new AppError('MESSAGES.MESSAGE_NOT_FOUND', 404, 'Message not found'),
  notYourMessage: () =>
    new AppError('MESSAGES.NOT_YOUR_MESSAGE', 403, 'Only the sender can change this message'),
  messageDeleted: () =>
    new AppError('MESSAGES.MESSAGE_DELETED', 409, 'This message was deleted and cannot be edited'),
} as const;

/** The codes of a malformed request's 400 (`validate`), whose message is the first problem found. */
export const messagesInputCodes = {
  id: 'MESSAGES.INVALID_ID',
  idempotencyKey: 'MESSAGES.INVALID_IDEMPOTENCY_KEY',
  body: 'MESSAGES.INVALID_BODY',
  query: 'MESSAGES.INVALID_QUERY',
} as const;
