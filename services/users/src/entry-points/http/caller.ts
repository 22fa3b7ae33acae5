import { objectId } from '@chat/shared/api';
import { callerOf } from '@chat/shared/auth';
import type { Response } from 'express';
import { usersErrors } from '../../errors.js';

/** The verified caller's id; a token for anything but an ObjectId is not a caller we can serve. */
export function callerIdOf(res: Response): string {
  const { userId } = callerOf(res);
  if (!objectId.safeParse(userId).success) throw usersErrors.invalidCaller();
  return userId;
}
