import mongoose, { type Connection } from 'mongoose';

/**
 * Open a service's own mongoose connection (never the global one) to database `dbName`. Filters are
 * sanitized: `{ $gt: '' }` in place of a value is wrapped in `$eq` (and fails to cast) instead of matching
 * everything — a second line behind the schema validation every route does at the edge. Models set
 * `strictQuery` in their schema options. `onClose` registers the connection's close with the owner's shutdown.
 */
export async function connectMongo(
  url: string,
  dbName: string,
  onClose?: (closer: () => Promise<void>) => void,
): Promise<Connection> {
  const connection = mongoose.createConnection(url, {
    dbName,
    sanitizeFilter: true,
    serverSelectionTimeoutMS: 10_000,
  });
  onClose?.(() => connection.close());
  await connection.asPromise();
  return connection;
}

/** Readiness check: throws unless the server answers a ping within `timeoutMs`. */
export async function pingMongo(connection: Connection, timeoutMs = 1_000): Promise<void> {
  const db = connection.db;
  if (connection.readyState !== mongoose.ConnectionStates.connected || !db) {
    throw new Error('mongo not connected');
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('mongo ping timed out')), timeoutMs);
  });
  try {
    await Promise.race([db.command({ ping: 1 }), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export {
  claimPending,
  LEASE_FIELDS,
  OUTBOX_LEASE_MS,
  type OutboxLease,
  type OutboxQuery,
  relayLease,
  releaseLeased,
} from './outbox-lease.js';
