import { Collection } from './collection.js';
import { CommandError, namespaceNotFound } from './errors.js';
import type { Doc } from './types.js';

/** All databases of one server process: database name → collection name → collection. */
export class Storage {
  private readonly databases = new Map<string, Map<string, Collection>>();

  databaseNames(): string[] {
    return [...this.databases.keys()];
  }

  collections(db: string): Collection[] {
    return [...(this.databases.get(db)?.values() ?? [])];
  }

  get(db: string, name: string): Collection | undefined {
    return this.databases.get(db)?.get(name);
  }

  /** The collection, or NamespaceNotFound (code 26) when it does not exist. */
  require(db: string, name: string): Collection {
    const coll = this.get(db, name);
    if (!coll) throw namespaceNotFound(`${db}.${name}`);
    return coll;
  }

  /** The collection, created implicitly as mongod does on first write. */
  getOrCreate(db: string, name: string): Collection {
    return this.get(db, name) ?? this.create(db, name);
  }

  create(db: string, name: string, options: Doc = {}): Collection {
    assertCollectionName(name);
    if (this.get(db, name)) {
      throw new CommandError(48, 'NamespaceExists', `Collection ${db}.${name} already exists.`);
    }
    let colls = this.databases.get(db);
    if (!colls) {
      colls = new Map();
      this.databases.set(db, colls);
    }
    const coll = new Collection(db, name, options);
    colls.set(name, coll);
    return coll;
  }

  drop(db: string, name: string): Collection | undefined {
    const colls = this.databases.get(db);
    const coll = colls?.get(name);
    colls?.delete(name);
    if (colls?.size === 0) this.databases.delete(db);
    return coll;
  }

  dropDatabase(db: string): void {
    this.databases.delete(db);
  }
}

function assertCollectionName(name: string): void {
  if (typeof name !== 'string' || name === '' || name.includes('\0') || name.startsWith('.')) {
    throw new CommandError(73, 'InvalidNamespace', `Invalid collection name: ${String(name)}`);
  }
}
