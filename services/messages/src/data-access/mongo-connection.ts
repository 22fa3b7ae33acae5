import mongoose, { type Connection } from 'mongoose';

/** This service's own connection (never the global one), with query-selector injection guarded. */
export async function connectMongo(url: string, dbName: string): Promise<Connection> {
  const connection = mongoose.createConnection(url, { dbName, serverSelectionTimeoutMS: 10_000 });
  // Objects with `$` keys in filters are wrapped in $eq unless the repository marks them trusted().
  connection.set('sanitizeFilter', true);
  await connection.asPromise();
  return connection;
}

/** Readiness: throws unless the server answers a ping. */
export async function pingMongo(connection: Connection): Promise<void> {
  if (!connection.db) throw new Error('mongo not connected');
  await connection.db.command({ ping: 1 });
}
