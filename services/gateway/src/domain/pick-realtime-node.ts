import { createHash } from 'node:crypto';

function weight(node: string, userId: string): bigint {
  return createHash('sha256').update(node).update('\0').update(userId).digest().readBigUInt64BE(0);
}

/**
 * Rendezvous (highest-random-weight) hashing: every gateway replica picks the same node for a user without
 * shared state, and when a node leaves only its own users move. Undefined when `nodes` is empty.
 */
export function pickRealtimeNode(nodes: readonly string[], userId: string): string | undefined {
  let best: string | undefined;
  let bestWeight = -1n;
  for (const node of nodes) {
    const w = weight(node, userId);
    // Ties (practically impossible) break by name so every replica agrees.
    if (w > bestWeight || (w === bestWeight && best !== undefined && node < best)) {
      best = node;
      bestWeight = w;
    }
  }
  return best;
}
