// Documents on MongoDB: one collection per kind, `_id` = the entity id. Guarded updates are a single updateOne
// whose filter carries the guard ({status: {$nin: terminal}}), so the server decides who wins; createIndexes is
// idempotent (same names, same keys), so boot can run it every time.
import {
  MongoClient,
  MongoServerError,
  type Collection,
  type Db,
  type Document,
  type Filter,
  type IndexDescription,
} from 'mongodb';
import { BootState, defaultSleep, type Sleep, type StoreHealth, type StoreLifecycle } from '../boot';
import { errorText, ConflictError } from '../errors';
import { mongodbConfigSchema, parseStoreConfig, type MongodbConfig, type MongodbConfigInput } from '../config';
import { withTimeout } from '../timeout';
import { collectionNames, collections, type CollectionName } from './collections';
import {
  type Doc,
  type DocInput,
  type DocFilter,
  type Documents,
  type Guard,
  type KeysetAfter,
  type UpdateOutcome,
} from './documents';

const DUPLICATE_KEY = 11000;

/** Stored shape: the entity id is the document's _id. */
interface MongoDoc extends Document {
  _id: string;
}

/** The indexes of one collection: each lookup path ends with the list order, so lists never sort in memory. */
export function mongoIndexes(name: CollectionName): IndexDescription[] {
  const spec = collections[name];
  const dir = spec.direction === 'desc' ? -1 : 1;
  const indexes: IndexDescription[] = spec.filters.map((f) => ({
    name: `${f}_${spec.sortField}`,
    key: { [f]: 1, [spec.sortField]: dir, _id: dir },
  }));
  indexes.push({ name: `order_${spec.sortField}`, key: { [spec.sortField]: dir, _id: dir } });
  for (const keys of spec.unique) {
    indexes.push({ name: `unique_${keys.join('_')}`, key: Object.fromEntries(keys.map((k) => [k, 1])), unique: true });
  }
  return indexes;
}

export class MongoDocuments implements Documents, StoreLifecycle {
  public readonly backend = 'mongodb' as const;
  private readonly config: MongodbConfig;
  private readonly boot: BootState;
  private client: MongoClient | undefined;
  private db: Db | undefined;

  public constructor(config: MongodbConfigInput, options: { readonly sleep?: Sleep } = {}) {
    this.config = parseStoreConfig(mongodbConfigSchema, config);
    this.boot = new BootState('mongodb', this.config.boot, options.sleep ?? defaultSleep);
  }

  public connect(): Promise<void> {
    return this.boot.connect(async () => {
      const ms = this.config.operationTimeoutMs;
      const client = new MongoClient(this.config.url, {
        serverSelectionTimeoutMS: ms,
        connectTimeoutMS: ms,
        socketTimeoutMS: ms,
      });
      try {
        await withTimeout(() => client.connect(), ms, 'connect', 'mongodb');
        const db = client.db(this.config.db);
        await withTimeout(() => db.command({ ping: 1 }), ms, 'connect', 'mongodb');
        for (const name of collectionNames) {
          await withTimeout(
            () => db.collection(name).createIndexes(mongoIndexes(name)),
            ms,
            'createIndexes',
            'mongodb',
          );
        }
        this.client = client;
        this.db = db;
      } catch (err) {
        await client.close().catch(() => undefined);
        throw err;
      }
    });
  }

  public async health(): Promise<StoreHealth> {
    if (!this.boot.isReady || !this.db) return this.boot.health();
    const db = this.db;
    try {
      await withTimeout(() => db.command({ ping: 1 }), this.config.operationTimeoutMs, 'health', 'mongodb');
      return this.boot.health();
    } catch (err) {
      return this.boot.health(errorText(err));
    }
  }

  public async close(): Promise<void> {
    this.boot.markClosed();
    const client = this.client;
    this.client = undefined;
    this.db = undefined;
    await client?.close();
  }

  public insert(collection: CollectionName, doc: DocInput): Promise<void> {
    return this.call('insert', async (db) => {
      try {
        await this.coll(db, collection).insertOne(toMongo(doc));
      } catch (err) {
        if (err instanceof MongoServerError && err.code === DUPLICATE_KEY) {
          throw new ConflictError('insert', 'mongodb', collections[collection].entity, doc.id, { cause: err });
        }
        throw err;
      }
    });
  }

  public insertIfAbsent(collection: CollectionName, doc: DocInput): Promise<boolean> {
    return this.call('insertIfAbsent', async (db) => {
      try {
        await this.coll(db, collection).insertOne(toMongo(doc));
        return true;
      } catch (err) {
        // Any unique index (the _id or the collection's own), as for insert's ConflictError.
        if (err instanceof MongoServerError && err.code === DUPLICATE_KEY) return false;
        throw err;
      }
    });
  }

  public upsertMany(collection: CollectionName, docs: readonly DocInput[]): Promise<void> {
    if (docs.length === 0) return Promise.resolve();
    return this.call('upsertMany', async (db) => {
      await this.coll(db, collection).bulkWrite(
        docs.map((doc) => ({
          replaceOne: { filter: { _id: doc.id }, replacement: toMongo(doc), upsert: true },
        })),
        { ordered: false },
      );
    });
  }

  public get(collection: CollectionName, id: string): Promise<Doc | undefined> {
    return this.call('get', async (db) => {
      const found = await this.coll(db, collection).findOne({ _id: id });
      return found ? fromMongo(found) : undefined;
    });
  }

  public update(
    collection: CollectionName,
    id: string,
    set: Readonly<Record<string, unknown>>,
    guard?: Guard,
  ): Promise<UpdateOutcome> {
    return this.call('update', async (db) => {
      const coll = this.coll(db, collection);
      const filter: Filter<MongoDoc> = { _id: id };
      if (guard) Object.assign(filter, { [guard.field]: { $nin: guard.notIn } });
      const result = await coll.updateOne(filter, { $set: { ...set } });
      if (result.matchedCount === 1) return 'applied';
      // No match: either the guard held it back or the document does not exist.
      const exists = await coll.countDocuments({ _id: id }, { limit: 1 });
      return exists ? 'guarded' : 'missing';
    });
  }

  public list(
    collection: CollectionName,
    filter: DocFilter,
    after: KeysetAfter | undefined,
    limit: number,
  ): Promise<Doc[]> {
    return this.call('list', async (db) => {
      const spec = collections[collection];
      const dir = spec.direction === 'desc' ? -1 : 1;
      const query: Filter<MongoDoc> = mongoFilter(filter);
      if (after) {
        const op = spec.direction === 'desc' ? '$lt' : '$gt';
        query.$or = [
          { [spec.sortField]: { [op]: after.value } },
          { [spec.sortField]: after.value, _id: { [op]: after.id } },
        ];
      }
      const docs = await this.coll(db, collection)
        .find(query, { maxTimeMS: this.config.operationTimeoutMs })
        .sort({ [spec.sortField]: dir, _id: dir })
        .limit(limit)
        .toArray();
      return docs.map(fromMongo);
    });
  }

  public deleteWhere(collection: CollectionName, filter: DocFilter): Promise<number> {
    return this.call('deleteWhere', async (db) => {
      const result = await this.coll(db, collection).deleteMany(mongoFilter(filter));
      return result.deletedCount;
    });
  }

  private coll(db: Db, name: CollectionName): Collection<MongoDoc> {
    return db.collection<MongoDoc>(name);
  }

  private call<T>(operation: string, work: (db: Db) => Promise<T>): Promise<T> {
    return withTimeout(
      () => {
        this.boot.requireReady(operation);
        if (!this.db) throw new RangeError('no database'); // unreachable when ready
        return work(this.db);
      },
      this.config.operationTimeoutMs,
      operation,
      'mongodb',
    );
  }
}

function mongoFilter(filter: DocFilter): Filter<MongoDoc> {
  const query: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(filter)) {
    const key = field === 'id' ? '_id' : field;
    query[key] = Array.isArray(value) ? { $in: value } : value;
  }
  return query;
}

function toMongo(doc: DocInput): MongoDoc {
  const { id, ...rest } = doc;
  return { _id: id, ...rest };
}

function fromMongo(doc: MongoDoc): Doc {
  const { _id, ...rest } = doc;
  return { id: String(_id), ...rest };
}
