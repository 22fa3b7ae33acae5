import type { mongo } from 'mongoose';

/** One document's insert refused by the server (a unique index: code 11000), the others unaffected. */
export class InsertRefusedError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'InsertRefusedError';
  }
}

interface WriteErrorReply {
  index: number;
  code: number;
  errmsg?: string;
}

function writeErrorsOf(reply: mongo.Document): WriteErrorReply[] {
  const errors: unknown = reply.writeErrors;
  if (!Array.isArray(errors)) return [];
  return errors.filter(
    (e): e is WriteErrorReply =>
      typeof e === 'object' && e !== null && typeof e.index === 'number' && typeof e.code === 'number',
  );
}

interface Waiting {
  doc: mongo.Document;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Inserts into one collection, coalesced: an insert issued while a batch is on its way joins the next one,
 * sent as one `insert` command as soon as the batch in flight returns. Idle, an insert goes out at once;
 * under load, concurrent sends cost one command, one round trip and one socket write between them instead
 * of one each. `ordered: false`: each document is stored or refused on its own (a duplicate idempotency
 * key refuses that send alone), as separate inserts would be.
 */
export function createInsertBatcher(
  db: () => mongo.Db,
  collection: string,
  maxBatch = 256,
): (doc: mongo.Document) => Promise<void> {
  let waiting: Waiting[] = [];
  let inFlight = false;

  const send = async (batch: Waiting[]) => {
    try {
      const reply = await db().command({
        insert: collection,
        documents: batch.map((w) => w.doc),
        ordered: false,
      });
      if (reply.writeConcernError)
        throw new Error(`write concern error: ${JSON.stringify(reply.writeConcernError)}`);
      const refused = new Map(writeErrorsOf(reply).map((e) => [e.index, e]));
      batch.forEach((w, i) => {
        const error = refused.get(i);
        if (error) w.reject(new InsertRefusedError(error.code, error.errmsg ?? 'insert refused'));
        else w.resolve();
      });
    } catch (err) {
      // The command as a whole failed (connection lost, server error): none of them is known to be stored.
      for (const w of batch) w.reject(err);
    }
  };

  const drain = async () => {
    inFlight = true;
    while (waiting.length > 0) {
      const batch = waiting.slice(0, maxBatch);
      waiting = waiting.slice(batch.length);
      await send(batch);
    }
    inFlight = false;
  };

  return (doc) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ doc, resolve, reject });
      if (!inFlight) void drain();
    });
}
