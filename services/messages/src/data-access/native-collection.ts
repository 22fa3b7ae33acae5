import type { Model, mongo } from 'mongoose';

/**
 * The driver's collection behind a model, for updates whose operators on dynamic paths (per-user maps,
 * embedded outbox arrays) must reach MongoDB exactly as written, without mongoose casting or dropping them.
 * Callers pass only validated values (ObjectIds, numbers, dates), never request bodies.
 *
 * Once connected it is the driver's own collection: mongoose's wrapper around it (buffering and debug
 * checks on every call) is only of use before the first connection, when repositories are not built yet.
 */
export function nativeCollection<T>(model: Model<T>): mongo.Collection<mongo.Document> {
  const db = model.db.db;
  if (db) return db.collection(model.collection.collectionName);
  return model.collection as unknown as mongo.Collection<mongo.Document>;
}

/** An update document for {@link nativeCollection}: array operators on untyped fields need the cast. */
export function updateOf(update: object): mongo.UpdateFilter<mongo.Document> {
  return update as mongo.UpdateFilter<mongo.Document>;
}
