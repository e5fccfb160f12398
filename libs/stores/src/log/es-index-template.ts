// The Elasticsearch index template of the log store. Unlike the blueprint's `dynamic: strict` (§10.28: any extra
// top-level field rejected the record) the root is `dynamic: false` — unknown fields are kept in _source, not
// indexed — and malformed values are ignored rather than failing the document. Timestamps accept epoch millis and
// ISO strings (§10.11: epoch seconds read as millis; the store always writes millis).
import { type estypes } from '@elastic/elasticsearch';

export const DATE_FORMAT = 'epoch_millis||strict_date_optional_time';

/** Where the store keeps ingestion metadata inside a document, beside the record's own fields. */
export const INGEST_FIELD = 'flywheel_ingest';

export function logIndexName(prefix: string): string {
  return `${prefix}logs`;
}

export function logIndexTemplate(prefix: string): estypes.IndicesPutIndexTemplateRequest {
  const keyword: estypes.MappingProperty = { type: 'keyword' };
  const date: estypes.MappingProperty = { type: 'date', format: DATE_FORMAT };
  // Bodies are stored (in _source) but not indexed: no mapping explosion from arbitrary tool schemas.
  const opaque: estypes.MappingProperty = { type: 'object', enabled: false };
  return {
    name: `${prefix}logs`,
    index_patterns: [`${logIndexName(prefix)}*`],
    priority: 200,
    template: {
      settings: { 'index.mapping.ignore_malformed': true, 'index.refresh_interval': '1s' },
      mappings: {
        dynamic: false,
        properties: {
          event_id: keyword,
          log_id: keyword,
          workload_id: keyword,
          client_id: keyword,
          timestamp: date,
          latency_ms: { type: 'long' },
          request: opaque,
          response: opaque,
          feedback: opaque,
          [INGEST_FIELD]: {
            type: 'object',
            properties: { id: keyword, source: keyword, ingested_at: date },
          },
        },
      },
    },
  };
}
