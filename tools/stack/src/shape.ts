/** The processes of each tier. */
export type Tier = 'gateway' | 'auth' | 'users' | 'messages' | 'realtime';
export const TIERS: readonly Tier[] = ['gateway', 'auth', 'users', 'messages', 'realtime'];

export interface Shape {
  replicas: Partial<Record<Tier, number>>;
  /** Realtime delivery queues (DELIVERY_QUEUES), when given. */
  queues?: number;
}

const count = (what: string, raw: string | undefined): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} takes a whole number ≥ 1 (got "${raw ?? ''}")`);
  return n;
};

/**
 * `gateway=2,auth=2,users=2,messages=2,realtime=3,queues=4` → replicas per tier (tiers not named keep their
 * default) and the number of realtime delivery queues.
 */
export function parseShape(raw: string): Shape {
  const shape: Shape = { replicas: {} };
  for (const item of raw.split(',')) {
    const [name = '', n] = item.split('=');
    if (name === 'queues') shape.queues = count('queues', n);
    else if ((TIERS as readonly string[]).includes(name)) shape.replicas[name as Tier] = count(name, n);
    else throw new Error(`expected tier=N pairs (${[...TIERS, 'queues'].join(', ')}), got "${item}"`);
  }
  return shape;
}
