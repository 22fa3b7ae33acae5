import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

const keys = new Map<string, KeyObject>();

/**
 * The HMAC key of a secret, made once. Handed a string, jsonwebtoken first tries to parse it as a PEM
 * public key on every call, which dominated the gateway's CPU profile.
 */
export function hmacKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}

type Payload = Record<string, unknown>;

/**
 * Verifies an HS256 token with algorithm, issuer and audience pinned; returns its payload or undefined.
 * Pinning the algorithm is what rejects `alg: none` and RS/HS512 look-alikes.
 */
export function verifyHs256(
  token: string,
  secret: string,
  issuer: string,
  audience: string,
): Payload | undefined {
  if (!token || !secret) return undefined;
  try {
    const payload = jwt.verify(token, hmacKey(secret), { algorithms: ['HS256'], issuer, audience });
    return typeof payload === 'object' && payload !== null ? (payload as Payload) : undefined;
  } catch {
    return undefined;
  }
}

/** True when `value` is a non-empty string. */
export function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** True when `value` is a finite number (JWT NumericDate). */
export function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
