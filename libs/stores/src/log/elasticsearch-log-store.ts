// The production LogStore on Elasticsearch. A record is a document whose _id is its stable id, appended with bulk
// `create`: a redelivered id answers 409 and counts as a duplicate, leaving the first write as it was. Reads sort by
// (timestamp, ingest id) newest first; streams page with search_after inside a point in time, so memory stays at
// one page and concurrent appends do not shift pages.
import { Client, errors as esErrors, type estypes } from '@elastic/elasticsearch';
import { type LlmCallLoggedV1 } from '@flywheel/contracts';
import { BootState, defaultSleep, type Sleep, type StoreHealth } from '../boot';
import {
  elasticsearchConfigSchema,
  parseStoreConfig,
  type ElasticsearchConfig,
  type ElasticsearchConfigInput,
} from '../config';
import { asStoreError, errorText, StoreError } from '../errors';
import { withTimeout } from '../timeout';
import { DATE_FORMAT, INGEST_FIELD, logIndexName, logIndexTemplate } from './es-index-template';
import {
  checkLimit,
  checkLogRecord,
  DEFAULT_STREAM_PAGE_SIZE,
  type AppendResult,
  type LogFilter,
  type LogQuery,
  type LogRecordInput,
  type LogStore,
  type LogStreamOptions,
  type StoredLogRecord,
  type WorkloadCount,
} from './log-store';
import { toEpochMillis } from './time';

interface IngestMeta {
  id: string;
  source: string;
  ingested_at: number;
}

type EsDoc = Record<string, unknown> & { [INGEST_FIELD]: IngestMeta };

const SORT: estypes.Sort = [{ timestamp: { order: 'desc' } }, { [`${INGEST_FIELD}.id`]: { order: 'desc' } }];

export class ElasticsearchLogStore implements LogStore {
  public readonly backend = 'elasticsearch' as const;
  private readonly config: ElasticsearchConfig;
  private readonly boot: BootState;
  private readonly now: () => number;
  private readonly index: string;
  private client: Client | undefined;

  public constructor(
    config: ElasticsearchConfigInput,
    options: { readonly now?: () => number; readonly sleep?: Sleep } = {},
  ) {
    this.config = parseStoreConfig(elasticsearchConfigSchema, config);
    this.boot = new BootState('elasticsearch', this.config.boot, options.sleep ?? defaultSleep);
    this.now = options.now ?? Date.now;
    this.index = logIndexName(this.config.indexPrefix);
  }

  public connect(): Promise<void> {
    return this.boot.connect(async () => {
      const { url, username, password, requestTimeoutMs } = this.config;
      const client = new Client({
        node: url,
        requestTimeout: requestTimeoutMs,
        maxRetries: 2,
        ...(username !== undefined ? { auth: { username, password: password ?? '' } } : {}),
      });
      try {
        await this.timed('connect', () => client.cluster.health({ wait_for_status: 'yellow', timeout: '10s' }));
        // Both idempotent: the template is overwritten with itself, an existing index is left alone.
        await this.timed('putIndexTemplate', () =>
          client.indices.putIndexTemplate(logIndexTemplate(this.config.indexPrefix)),
        );
        if (!(await this.timed('indexExists', () => client.indices.exists({ index: this.index })))) {
          try {
            await this.timed('createIndex', () => client.indices.create({ index: this.index }));
          } catch (err) {
            if (!isAlreadyExists(err)) throw err;
          }
        }
        this.client = client;
      } catch (err) {
        await client.close().catch(() => undefined);
        throw err;
      }
    });
  }

  public async health(): Promise<StoreHealth> {
    const client = this.client;
    if (!this.boot.isReady || !client) return this.boot.health();
    try {
      await this.timed('health', () => client.ping());
      return this.boot.health();
    } catch (err) {
      return this.boot.health(errorText(err));
    }
  }

  public async close(): Promise<void> {
    this.boot.markClosed();
    const client = this.client;
    this.client = undefined;
    await client?.close();
  }

  public async append(batch: readonly LogRecordInput[]): Promise<AppendResult> {
    const client = this.ready('append');
    if (batch.length === 0) return { inserted: 0, duplicates: 0 };
    try {
      batch.forEach(checkLogRecord);
    } catch (err) {
      throw asStoreError(err, 'append', 'elasticsearch');
    }
    const ingestedAt = this.now();
    const operations: unknown[] = [];
    for (const { id, record, source } of batch) {
      const meta: IngestMeta = { id, source, ingested_at: ingestedAt };
      operations.push({ create: { _index: this.index, _id: id } }, { ...record, [INGEST_FIELD]: meta });
    }
    const response = await this.timed('append', () => client.bulk({ operations, refresh: this.config.refresh }));
    let inserted = 0;
    let duplicates = 0;
    const failures: string[] = [];
    for (const item of response.items) {
      const result = item.create;
      if (!result) continue;
      if (result.status === 201) inserted += 1;
      else if (result.status === 409) duplicates += 1;
      else failures.push(`${result._id ?? '?'}: ${result.error?.reason ?? `status ${result.status}`}`);
    }
    if (failures.length > 0) {
      // The whole batch is retried by the caller; the ids already written answer 409 then, so nothing doubles.
      throw new StoreError(
        'append',
        'elasticsearch',
        'backend',
        `${failures.length} records rejected: ${failures.slice(0, 5).join('; ')}`,
      );
    }
    return { inserted, duplicates };
  }

  public async query(query: LogQuery): Promise<StoredLogRecord[]> {
    const client = this.ready('query');
    const { limit, filter } = this.prepare('query', () => ({
      limit: checkLimit(query.limit),
      filter: this.filter(query),
    }));
    const response = await this.timed('query', () =>
      client.search<EsDoc>({ index: this.index, query: filter, sort: SORT, size: limit, track_total_hits: false }),
    );
    return response.hits.hits.map(toStored);
  }

  public async *stream(filter: LogFilter, options: LogStreamOptions = {}): AsyncIterable<StoredLogRecord> {
    const client = this.ready('stream');
    const { pageSize, query } = this.prepare('stream', () => ({
      pageSize: checkLimit(options.pageSize ?? DEFAULT_STREAM_PAGE_SIZE, 'pageSize'),
      query: this.filter(filter),
    }));
    const keepAlive = this.config.streamKeepAlive;
    const opened = await this.timed('stream', () =>
      client.openPointInTime({ index: this.index, keep_alive: keepAlive }),
    );
    let pitId = opened.id;
    try {
      let after: estypes.SortResults | undefined;
      for (;;) {
        const response = await this.timed('stream', () =>
          client.search<EsDoc>({
            pit: { id: pitId, keep_alive: keepAlive },
            query,
            sort: SORT,
            size: pageSize,
            track_total_hits: false,
            ...(after ? { search_after: after } : {}),
          }),
        );
        pitId = response.pit_id ?? pitId;
        const hits = response.hits.hits;
        for (const hit of hits) yield toStored(hit);
        after = hits.at(-1)?.sort;
        if (hits.length < pageSize || !after) return;
      }
    } finally {
      const id = pitId;
      await this.timed('stream', () => client.closePointInTime({ id })).catch(() => undefined);
    }
  }

  public async countByWorkload(filter: { readonly clientId?: string } = {}): Promise<WorkloadCount[]> {
    const client = this.ready('countByWorkload');
    const counts: WorkloadCount[] = [];
    let after: Record<string, estypes.FieldValue> | undefined;
    // Composite aggregation pages through every workload; a terms aggregation would cap at its size.
    for (;;) {
      const response = await this.timed('countByWorkload', () =>
        client.search({
          index: this.index,
          size: 0,
          track_total_hits: false,
          ...(filter.clientId !== undefined ? { query: { term: { client_id: filter.clientId } } } : {}),
          aggs: {
            workloads: {
              composite: {
                size: 1000,
                sources: [{ workload_id: { terms: { field: 'workload_id' } } }],
                ...(after ? { after } : {}),
              },
            },
          },
        }),
      );
      const agg = response.aggregations?.workloads as estypes.AggregationsCompositeAggregate | undefined;
      const buckets = (agg?.buckets ?? []) as estypes.AggregationsCompositeBucket[];
      for (const b of buckets) counts.push({ workload_id: String(b.key.workload_id), count: b.doc_count });
      if (buckets.length === 0 || !agg?.after_key) break;
      after = agg.after_key;
    }
    return counts;
  }

  private ready(operation: string): Client {
    this.boot.requireReady(operation);
    if (!this.client) throw new StoreError(operation, 'elasticsearch', 'unavailable', 'no client');
    return this.client;
  }

  private prepare<T>(operation: string, work: () => T): T {
    try {
      return work();
    } catch (err) {
      throw asStoreError(err, operation, 'elasticsearch');
    }
  }

  private filter(filter: LogFilter): estypes.QueryDslQueryContainer {
    const must: estypes.QueryDslQueryContainer[] = [{ term: { workload_id: filter.workloadId } }];
    if (filter.clientId !== undefined) must.push({ term: { client_id: filter.clientId } });
    if (filter.from !== undefined || filter.to !== undefined) {
      must.push({
        range: {
          timestamp: {
            format: DATE_FORMAT,
            ...(filter.from !== undefined ? { gte: toEpochMillis(filter.from) } : {}),
            ...(filter.to !== undefined ? { lt: toEpochMillis(filter.to) } : {}),
          },
        },
      });
    }
    return { bool: { filter: must } };
  }

  private timed<T>(operation: string, work: () => Promise<T>): Promise<T> {
    return withTimeout(work, this.config.requestTimeoutMs, operation, 'elasticsearch').catch((err: unknown) => {
      throw classify(err, operation);
    });
  }
}

function toStored(hit: estypes.SearchHit<EsDoc>): StoredLogRecord {
  const source = hit._source;
  if (!source) throw new StoreError('read', 'elasticsearch', 'backend', `document ${hit._id ?? '?'} has no _source`);
  const { [INGEST_FIELD]: meta, ...record } = source;
  return {
    id: meta.id,
    record: record as unknown as LlmCallLoggedV1,
    source: meta.source,
    ingested_at: meta.ingested_at,
  };
}

function isAlreadyExists(err: unknown): boolean {
  const cause = err instanceof StoreError ? err.cause : err;
  if (!(cause instanceof esErrors.ResponseError)) return false;
  const body: unknown = cause.body;
  return (
    typeof body === 'object' &&
    body !== null &&
    'error' in body &&
    typeof body.error === 'object' &&
    body.error !== null &&
    'type' in body.error &&
    body.error.type === 'resource_already_exists_exception'
  );
}

/** Connection failures are retryable 'unavailable', not opaque backend errors. */
function classify(err: unknown, operation: string): StoreError {
  const storeErr = asStoreError(err, operation, 'elasticsearch');
  const cause = storeErr.cause;
  if (
    storeErr.kind === 'backend' &&
    (cause instanceof esErrors.ConnectionError || cause instanceof esErrors.NoLivingConnectionsError)
  ) {
    return new StoreError(operation, 'elasticsearch', 'unavailable', errorText(cause), { cause });
  }
  if (storeErr.kind === 'backend' && cause instanceof esErrors.TimeoutError) {
    return new StoreError(operation, 'elasticsearch', 'timeout', errorText(cause), { cause });
  }
  return storeErr;
}
