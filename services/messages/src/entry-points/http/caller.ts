import { objectId } from '@chat/shared/api';
import { callerOf } from '@chat/shared/auth';
import type { Response } from 'express';
import { messagesErrors } from '../../errors.js';

/** The authenticated caller's id, which must be an ObjectId to be a user this service can serve. */
export function callerIdOf(res: Response): string {
  const { userId } = callerOf(res);
  if (!objectId.safeParse(userId).success) throw messagesErrors.invalidCaller();
  return userId;
}
