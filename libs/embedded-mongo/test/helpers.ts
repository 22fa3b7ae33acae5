import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll } from 'vitest';
import { type EmbeddedMongo, startEmbeddedMongo } from '../src/index.js';

/** A unique database name for one test file or test. */
export function uniqueDbName(prefix: string): string {
  return `${prefix}_test_${randomUUID().slice(0, 8)}`;
}

/** Starts a private embedded server and a driver client for the file; both close in afterAll. */
export function useServerAndClient(): { server: () => EmbeddedMongo; client: () => MongoClient } {
  let server: EmbeddedMongo | undefined;
  let client: MongoClient | undefined;
  beforeAll(async () => {
    server = await startEmbeddedMongo();
    client = await MongoClient.connect(server.uri, { serverSelectionTimeoutMS: 5_000 });
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });
  return {
    server: () => {
      if (!server) throw new Error('server not started');
      return server;
    },
    client: () => {
      if (!client) throw new Error('client not connected');
      return client;
    },
  };
}
