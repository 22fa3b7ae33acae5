import { connectMongo, pingMongo } from '@chat/shared/mongo';
import { testEnv, uniqueName } from '@chat/shared/testing';
import { type Connection, Schema } from 'mongoose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

describe('connectMongo', () => {
  let connection: Connection;

  beforeAll(async () => {
    connection = await connectMongo(testEnv().mongoUrl, uniqueName('test-shared-mongo'));
  });

  afterAll(async () => {
    await connection.close();
  });

  test('opens a connection to its own database that answers pings', async () => {
    expect(connection.db?.databaseName).toMatch(/^test-shared-mongo-/);
    await expect(pingMongo(connection)).resolves.toBeUndefined();
  });

  test('sanitizes query operators smuggled in place of values', async () => {
    const model = connection.model('Account', new Schema({ username: String }));
    await model.create({ username: 'alice' });
    // What a JSON body can carry where the code expects a string.
    const smuggled = { $gt: '' } as unknown as string;
    // Unsanitized, `{ $gt: '' }` matches every account; sanitized it is a literal value that cannot cast.
    await expect(model.find({ username: smuggled }).lean()).rejects.toThrow(/Cast to string failed/);
    expect(await model.countDocuments({ username: 'alice' })).toBe(1);
  });

  test('readiness fails once the connection is closed', async () => {
    const other = await connectMongo(testEnv().mongoUrl, uniqueName('test-shared-mongo'));
    await other.close();
    await expect(pingMongo(other)).rejects.toThrow('mongo not connected');
  });
});
