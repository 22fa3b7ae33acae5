import { randomBytes } from 'node:crypto';

// A plain ObjectId orders by second, then by a per-process random value: two replicas of this service
// writing in the same second would page a conversation out of send order. These ids keep the ObjectId
// layout's 4-byte seconds and replace the rest with the millisecond (2 bytes), this process's random tag
// (3 bytes) and a counter (3 bytes), so ids from every replica sort by creation time to the millisecond
// (sends a user makes one after another are further apart than that). Still valid, unique ObjectIds.
const processTag = randomBytes(3);
let counter = randomBytes(3).readUIntBE(0, 3);

/** A new message id (24 hex characters) ordered by creation time across processes. */
export function newMessageId(now = Date.now()): string {
  counter = (counter + 1) % 0x1000000;
  const id = Buffer.alloc(12);
  id.writeUInt32BE(Math.floor(now / 1000), 0);
  id.writeUInt16BE(now % 1000, 4);
  processTag.copy(id, 6);
  id.writeUIntBE(counter, 9, 3);
  return id.toString('hex');
}
