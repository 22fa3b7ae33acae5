/**
 * A multimap from canonical key to the ids of the documents holding it. Most keys have one holder: its
 * id is stored directly and a Set only grows when a second one arrives. Adding an id twice is a no-op,
 * which multikey documents rely on (several entries can share a key or a prefix).
 */
export class KeyMap {
  private readonly map = new Map<string, string | Set<string>>();

  get size(): number {
    return this.map.size;
  }

  add(key: string, idKey: string): void {
    const holders = this.map.get(key);
    if (holders === undefined || holders === idKey) this.map.set(key, idKey);
    else if (typeof holders === 'string') this.map.set(key, new Set([holders, idKey]));
    else holders.add(idKey);
  }

  remove(key: string, idKey: string): void {
    const holders = this.map.get(key);
    if (holders === idKey) this.map.delete(key);
    else if (holders instanceof Set) {
      holders.delete(idKey);
      if (holders.size === 0) this.map.delete(key);
    }
  }

  holders(key: string): Iterable<string> {
    const holders = this.map.get(key);
    if (holders === undefined) return [];
    return typeof holders === 'string' ? [holders] : holders;
  }
}
