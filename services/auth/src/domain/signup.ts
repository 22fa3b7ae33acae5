import { newEventEnvelope } from '@chat/shared/events';
import type { UserRecord, UserRepository } from '../data-access/user.repository.js';
import { authErrors } from '../errors.js';
import { avatarPath } from './avatar.js';
import { MAX_PASSWORD_BYTES, type PasswordHasher, passwordByteLength } from './password.js';
import { isCommonPassword } from './password-policy.js';
import type { Gender } from './user.js';

export interface SignupInput {
  fullName: string;
  username: string;
  password: string;
  confirmPassword: string;
  gender: Gender;
}

export interface SignupDeps {
  users: UserRepository;
  passwords: PasswordHasher;
  /** Called once the account (and its pending event) is stored: wakes the outbox relay. */
  onRegistered: () => void;
}

export function assertNewPassword(password: string, confirmPassword: string): void {
  if (passwordByteLength(password) > MAX_PASSWORD_BYTES) throw authErrors.passwordTooLong();
  if (password !== confirmPassword) throw authErrors.passwordMismatch();
  // The first guesses of any attack on an account; the minimum length is the request schema's rule.
  if (isCommonPassword(password)) throw authErrors.passwordTooCommon();
}

/** Creates an account; its `user.registered` event is stored with it and published by the outbox relay. */
export async function signup(input: SignupInput, deps: SignupDeps): Promise<UserRecord> {
  assertNewPassword(input.password, input.confirmPassword);
  // Cheap early answer for the common case; the unique index still decides races.
  if (await deps.users.usernameExists(input.username)) throw authErrors.usernameTaken();
  const passwordHash = await deps.passwords.hash(input.password);
  const envelope = newEventEnvelope();
  const user = await deps.users.insert({
    fullName: input.fullName,
    username: input.username,
    passwordHash,
    gender: input.gender,
    profilePic: avatarPath(input.username),
    event: { eventId: envelope.eventId, occurredAt: new Date(envelope.occurredAt) },
  });
  deps.onRegistered();
  return user;
}
