import { PASSWORD_MIN_LENGTH } from '@chat/shared/api';
import { dictionary } from '@zxcvbn-ts/language-common';

// Built once when the service starts; shorter entries are already refused by the length rule. The list is
// lowercase, so a password is compared in lowercase: "Password1" is as guessable as "password1".
const commonPasswords: ReadonlySet<string> = new Set(
  dictionary['passwords-common'].filter((entry) => entry.length >= PASSWORD_MIN_LENGTH),
);

/** True when `password` is on the offline list of the most common passwords (case-insensitive). */
export function isCommonPassword(password: string): boolean {
  return commonPasswords.has(password.toLowerCase());
}
