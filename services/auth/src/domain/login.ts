import type { UserRecord, UserRepository } from '../data-access/user.repository.js';
import { authErrors } from '../errors.js';
import { MAX_PASSWORD_BYTES, type PasswordHasher, passwordByteLength } from './password.js';

export interface LoginInput {
  username: string;
  password: string;
}

export interface LoginDeps {
  users: UserRepository;
  passwords: PasswordHasher;
}

/**
 * Checks the credentials. Unknown user, wrong password and an over-long password all cost one bcrypt
 * comparison and end in the same error, so neither the answer nor its timing reveals which usernames exist.
 */
export async function login(input: LoginInput, deps: LoginDeps): Promise<UserRecord> {
  // bcrypt would compare only the first 72 bytes, so a longer password must never match.
  const comparable = passwordByteLength(input.password) <= MAX_PASSWORD_BYTES;
  const found = comparable ? await deps.users.findCredentials(input.username) : null;
  if (!found) {
    await deps.passwords.verifyAgainstDummy(input.password);
    throw authErrors.invalidCredentials();
  }
  if (!(await deps.passwords.verify(input.password, found.passwordHash))) {
    throw authErrors.invalidCredentials();
  }
  // The only moment the plain password is at hand: upgrade a hash made before BCRYPT_COST was raised.
  if (deps.passwords.needsRehash(found.passwordHash)) {
    const upgraded = await deps.passwords.hash(input.password);
    await deps.users.replacePasswordHash(found.user._id, found.passwordHash, upgraded);
  }
  return found.user;
}
