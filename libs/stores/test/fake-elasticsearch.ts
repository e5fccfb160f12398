// An in-process HTTP double of the few Elasticsearch APIs the log store calls (cluster health, index template,
// index create/exists, bulk create, search with term/range filters, sort and search_after, point in time,
// composite aggregation). It lets the LogStore contract exercise the real @elastic/elasticsearch client and the
// adapter's request building and response parsing without Docker. It is no substitute for a real server: the
// testcontainers suite is the one that proves the mappings.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

type Source = Record<string, unknown> & { flywheel_ingest: { id: string } };
type Query = Record<string, unknown>;

export interface FakeElasticsearch {
  readonly url: string;
  /** Method and path of every request, for assertions about what the adapter sent. */
  readonly requests: string[];
  stop(): Promise<void>;
}

export async function startFakeElasticsearch(): Promise<FakeElasticsearch> {
  const indexes = new Map<string, Map<string, Source>>();
  const pits = new Map<string, string>();
  const requests: string[] = [];

  const handle = (method: string, path: string, body: string): [number, unknown] => {
    const [pathname = '', search = ''] = path.split('?');
    const parts = pathname.split('/').filter(Boolean);
    requests.push(`${method} ${pathname}`);
    if (method === 'HEAD' && parts.length === 0) return [200, {}];
    if (parts[0] === '_cluster') return [200, { status: 'green' }];
    if (parts[0] === '_index_template') return [200, { acknowledged: true }];
    if (parts[0] === '_bulk') return [200, bulk(indexes, body)];
    if (parts[0] === '_pit' && method === 'DELETE') {
      const { id } = JSON.parse(body) as { id: string };
      return [200, { succeeded: pits.delete(id), num_freed: 1 }];
    }
    if (parts[0] === '_search') {
      const request = JSON.parse(body) as { pit: { id: string } };
      const index = pits.get(request.pit.id);
      if (!index) return [404, { error: { type: 'search_context_missing_exception' }, status: 404 }];
      return [200, { ...searchIndex(indexes.get(index), request), pit_id: request.pit.id }];
    }
    const index = parts[0] ?? '';
    if (parts.length === 1 && method === 'HEAD') return [indexes.has(index) ? 200 : 404, {}];
    if (parts.length === 1 && method === 'PUT') {
      if (indexes.has(index)) return [400, { error: { type: 'resource_already_exists_exception' }, status: 400 }];
      indexes.set(index, new Map());
      return [200, { acknowledged: true, index }];
    }
    if (parts[1] === '_pit') {
      const id = `pit-${pits.size + 1}-${Date.now()}`;
      pits.set(id, index);
      return [200, { id }];
    }
    if (parts[1] === '_search') return [200, searchIndex(indexes.get(index), JSON.parse(body || '{}') as Query)];
    return [400, { error: { type: 'unsupported_by_fake', reason: `${method} ${pathname}?${search}` }, status: 400 }];
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const [status, payload] = handle(req.method ?? 'GET', req.url ?? '/', Buffer.concat(chunks).toString('utf8'));
      res.writeHead(status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function bulk(indexes: Map<string, Map<string, Source>>, body: string): unknown {
  const lines = body.split('\n').filter((l) => l.length > 0);
  const items: unknown[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    const action = JSON.parse(lines[i] ?? '{}') as { create: { _index: string; _id: string } };
    const { _index, _id } = action.create;
    const docs = indexes.get(_index) ?? new Map<string, Source>();
    indexes.set(_index, docs);
    if (docs.has(_id)) {
      items.push({ create: { _index, _id, status: 409, error: { type: 'version_conflict_engine_exception' } } });
    } else {
      docs.set(_id, JSON.parse(lines[i + 1] ?? '{}') as Source);
      items.push({ create: { _index, _id, status: 201, result: 'created' } });
    }
  }
  return { took: 1, errors: items.some((it) => (it as { create: { status: number } }).create.status !== 201), items };
}

function matches(doc: Source, query: Query | undefined): boolean {
  if (!query) return true;
  if ('bool' in query) return ((query.bool as { filter: Query[] }).filter ?? []).every((q) => matches(doc, q));
  if ('term' in query) {
    return Object.entries(query.term as Record<string, unknown>).every(([field, value]) => doc[field] === value);
  }
  if ('range' in query) {
    const { gte, lt } = (query.range as { timestamp: { gte?: number; lt?: number } }).timestamp;
    const ts = doc.timestamp as number;
    return (gte === undefined || ts >= gte) && (lt === undefined || ts < lt);
  }
  throw new Error(`fake Elasticsearch: unsupported query ${JSON.stringify(query)}`);
}

function searchIndex(docs: Map<string, Source> | undefined, request: Query): Record<string, unknown> {
  const all = [...(docs?.values() ?? [])].filter((d) => matches(d, request.query as Query | undefined));
  if (request.aggs) {
    const counts = new Map<string, number>();
    for (const d of all) counts.set(String(d.workload_id), (counts.get(String(d.workload_id)) ?? 0) + 1);
    const composite = (request.aggs as { workloads: { composite: { size: number; after?: { workload_id: string } } } })
      .workloads.composite;
    const keys = [...counts.keys()].sort().filter((k) => !composite.after || k > composite.after.workload_id);
    const page = keys.slice(0, composite.size);
    const last = page.at(-1);
    return {
      hits: { hits: [] },
      aggregations: {
        workloads: {
          buckets: page.map((k) => ({ key: { workload_id: k }, doc_count: counts.get(k) })),
          ...(last ? { after_key: { workload_id: last } } : {}),
        },
      },
    };
  }
  const key = (d: Source): [number, string] => [d.timestamp as number, d.flywheel_ingest.id];
  const sorted = all.sort((a, b) => {
    const [ta, ia] = key(a);
    const [tb, ib] = key(b);
    return tb - ta || (ia < ib ? 1 : ia > ib ? -1 : 0);
  });
  const after = request.search_after as [number, string] | undefined;
  const rest = after
    ? sorted.filter((d) => {
        const [t, id] = key(d);
        return t < after[0] || (t === after[0] && id < after[1]);
      })
    : sorted;
  const size = (request.size as number | undefined) ?? 10;
  return {
    hits: {
      hits: rest.slice(0, size).map((d) => ({ _index: 'x', _id: d.flywheel_ingest.id, _source: d, sort: key(d) })),
    },
  };
}
