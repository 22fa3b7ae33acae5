import { calculateObjectSize, Long } from 'bson';
import { cursorNotFound } from './errors.js';
import type { Doc } from './types.js';

const DEFAULT_FIRST_BATCH = 101;
// Stay well under the 48 MB message limit and the 16 MB reply document limit.
const MAX_BATCH_BYTES = 15 * 1024 * 1024;
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

interface OpenCursor {
  ns: string;
  docs: Doc[];
  position: number;
  lastUsed: number;
}

/** Server-side cursors: results are materialized once and handed out in batches through getMore. */
export class CursorStore {
  private readonly cursors = new Map<number, OpenCursor>();
  private nextId = 1;

  /** Builds the `cursor` reply field for a fresh result, keeping a cursor open if more remain. */
  open(ns: string, docs: Doc[], batchSize: unknown, singleBatch = false): Doc {
    this.expireIdle();
    const cursor: OpenCursor = { ns, docs, position: 0, lastUsed: Date.now() };
    const firstBatch = this.take(cursor, toBatchSize(batchSize) ?? DEFAULT_FIRST_BATCH);
    let id = 0;
    if (!singleBatch && cursor.position < docs.length) {
      id = this.nextId++;
      this.cursors.set(id, cursor);
    }
    return { id: Long.fromNumber(id), ns, firstBatch };
  }

  getMore(id: number, batchSize: unknown): Doc {
    const cursor = this.cursors.get(id);
    if (!cursor) throw cursorNotFound(id);
    cursor.lastUsed = Date.now();
    const nextBatch = this.take(cursor, toBatchSize(batchSize) || Number.POSITIVE_INFINITY);
    const exhausted = cursor.position >= cursor.docs.length;
    if (exhausted) this.cursors.delete(id);
    return { id: Long.fromNumber(exhausted ? 0 : id), ns: cursor.ns, nextBatch };
  }

  kill(ids: number[]): { killed: number[]; notFound: number[] } {
    const killed: number[] = [];
    const notFound: number[] = [];
    for (const id of ids) (this.cursors.delete(id) ? killed : notFound).push(id);
    return { killed, notFound };
  }

  clear(): void {
    this.cursors.clear();
  }

  private take(cursor: OpenCursor, limit: number): Doc[] {
    const batch: Doc[] = [];
    let bytes = 0;
    while (batch.length < limit && cursor.position < cursor.docs.length) {
      const doc = cursor.docs[cursor.position] as Doc;
      bytes += calculateObjectSize(doc);
      if (batch.length > 0 && bytes > MAX_BATCH_BYTES) break;
      batch.push(doc);
      cursor.position++;
    }
    return batch;
  }

  private expireIdle(): void {
    const cutoff = Date.now() - IDLE_TIMEOUT_MS;
    for (const [id, cursor] of this.cursors) if (cursor.lastUsed < cutoff) this.cursors.delete(id);
  }
}

function toBatchSize(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : value instanceof Long ? value.toNumber() : undefined;
  return n !== undefined && n >= 0 ? n : undefined;
}
