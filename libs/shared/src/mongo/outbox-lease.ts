import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { mongo } from 'mongoose';

/**
 * Who publishes an outbox document's events when several relays (service replicas) share one database. A
 * relay claims the documents it read with `leaseOwner`/`leaseUntil` in one conditional `updateMany` and the
 * others skip them until settled or expired (a crashed relay's documents come back after `ms`). Consumers
 * still deduplicate by eventId for the fault cases (a lease that ran out while its holder was still
 * publishing).
 */
export interface OutboxLease {
  /** This relay; unique per process. */
  owner: string;
  ms: number;
  now?: () => number;
}

/** How long a replica's claim holds by default: a relay that dies holding one leaves its events after this. */
export const OUTBOX_LEASE_MS = 10_000;

/** A lease for this process's relay: an owner name no other process shares. */
export function relayLease(ms: number = OUTBOX_LEASE_MS): OutboxLease {
  return { owner: `${hostname()}:${process.pid}:${randomUUID()}`, ms };
}

/** The fields a lease adds to a document, as an `$unset` (settling or releasing a document drops both). */
export const LEASE_FIELDS = { leaseOwner: '', leaseUntil: '' } as const;

/** Documents a relay may take: nobody's, expired, or already its own (a batch it failed to finish). */
function claimable(lease: OutboxLease, now: Date): mongo.Filter<mongo.Document> {
  return {
    $or: [{ leaseUntil: { $exists: false } }, { leaseUntil: { $lte: now } }, { leaseOwner: lease.owner }],
  };
}

/** What to read from an outbox: its pending documents (`filter`) in publishing order (`sort`). */
export interface OutboxQuery {
  filter: mongo.Filter<mongo.Document>;
  sort: mongo.Sort;
  limit: number;
  projection?: mongo.Document;
}

/**
 * Read the oldest claimable pending documents and claim them (without a lease: just read them). Usually
 * every one is claimed and the read stands; when another relay took some in between, the ones this relay
 * holds are read again.
 */
export async function claimPending(
  native: mongo.Collection<mongo.Document>,
  query: OutboxQuery,
  lease: OutboxLease | undefined,
): Promise<mongo.Document[]> {
  const read = (filter: mongo.Filter<mongo.Document>, limit?: number) => {
    const cursor = native.find(filter, query.projection ? { projection: query.projection } : {});
    return (limit === undefined ? cursor.sort(query.sort) : cursor.sort(query.sort).limit(limit)).toArray();
  };
  if (!lease) return read(query.filter, query.limit);
  const now = new Date(lease.now?.() ?? Date.now());
  const free = claimable(lease, now);
  const docs = await read({ ...query.filter, ...free }, query.limit);
  if (docs.length === 0) return docs;
  const leaseUntil = new Date(now.getTime() + lease.ms);
  const ids = docs.map((d) => d._id as mongo.ObjectId);
  const claimed = await native.updateMany(
    { _id: { $in: ids }, ...query.filter, ...free },
    { $set: { leaseOwner: lease.owner, leaseUntil } },
  );
  if (claimed.modifiedCount === docs.length) return docs;
  return read({ _id: { $in: ids }, ...query.filter, leaseOwner: lease.owner, leaseUntil });
}

/** Free these documents if they are still held under `owner` (a batch whose publish failed). */
export async function releaseLeased(
  native: mongo.Collection<mongo.Document>,
  ids: mongo.ObjectId[],
  owner: string,
): Promise<void> {
  if (ids.length === 0) return;
  await native.updateMany({ _id: { $in: ids }, leaseOwner: owner }, { $unset: LEASE_FIELDS });
}
