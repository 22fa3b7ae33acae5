import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import './vitest-context.js';

/** Endpoints provided by the root global setup (test/global-setup.ts). */
export function testEnv(): { mongoUrl: string; redisUrl: string; amqpUrl: string } {
  return { mongoUrl: inject('mongoUrl'), redisUrl: inject('redisUrl'), amqpUrl: inject('amqpUrl') };
}

/** `${prefix}-${random hex}`; dots become dashes so the name is safe for queues, keys and db names. */
export function uniqueName(prefix: string): string {
  return `${prefix.replaceAll('.', '-')}-${randomBytes(6).toString('hex')}`;
}

/** Puts a unique database name `test-${service}-${random}` into a MongoDB URL, keeping host list and options. */
export function mongoUrlWithDb(mongoUrl: string, dbName: string): string {
  const queryStart = mongoUrl.indexOf('?');
  const base = queryStart === -1 ? mongoUrl : mongoUrl.slice(0, queryStart);
  const query = queryStart === -1 ? '' : mongoUrl.slice(queryStart);
  const hostEnd = base.indexOf('/', base.indexOf('://') + 3);
  const hosts = hostEnd === -1 ? base : base.slice(0, hostEnd);
  return `${hosts}/${dbName}${query}`;
}

/** The test MongoDB URL with a fresh database `test-${service}-${random}`. */
export function testMongoUrl(service: string): string {
  return mongoUrlWithDb(testEnv().mongoUrl, uniqueName(`test-${service}`));
}

/** A fresh 24-hex ObjectId string (4-byte timestamp + 8 random bytes). */
export function newObjectId(): string {
  const seconds = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  return seconds + randomBytes(8).toString('hex');
}
