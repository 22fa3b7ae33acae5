/** bcrypt reads at most 72 bytes; longer passwords are refused rather than silently truncated. */
export const MAX_PASSWORD_BYTES = 72;

export function passwordByteLength(password: string): number {
  return Buffer.byteLength(password, 'utf8');
}

/** The port the use cases hash and check passwords through; data-access implements it with bcrypt. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** True when `hash` was made at a lower cost than the configured one (BCRYPT_COST has risen since). */
  needsRehash(hash: string): boolean;
  /** Spends the same time as `verify` against a hash nobody owns, so an unknown user is not faster. */
  verifyAgainstDummy(password: string): Promise<false>;
}
