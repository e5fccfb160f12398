// @flywheel/stores: the log store (production LLM calls) and the run store (flywheel run state), each a port with
// a production adapter (Elasticsearch, MongoDB) and an embedded SQLite twin.
export { backoffMs, type StoreHealth, type StoreLifecycle, type StoreState, type Sleep } from './boot';
export {
  bootRetrySchema,
  elasticsearchConfigSchema,
  logStoreConfigSchema,
  mongodbConfigSchema,
  parseStoreConfig,
  runStoreConfigSchema,
  sqliteConfigSchema,
  StoreConfigError,
  type BootRetryConfig,
  type ElasticsearchConfigInput,
  type LogStoreConfigInput,
  type MongodbConfigInput,
  type RunStoreConfigInput,
  type SqliteConfigInput,
} from './config';
export { ConflictError, NotFoundError, StoreError, type StoreBackend, type StoreErrorKind } from './errors';
export { createLogStore, createRunStore, type StoreOptions } from './factory';
export { ElasticsearchLogStore } from './log/elasticsearch-log-store';
export { DATE_FORMAT, logIndexName, logIndexTemplate } from './log/es-index-template';
export {
  logRecordId,
  type AppendResult,
  type LogFilter,
  type LogQuery,
  type LogRecordInput,
  type LogStore,
  type LogStreamOptions,
  type StoredLogRecord,
  type WorkloadCount,
} from './log/log-store';
export { SqliteLogStore } from './log/sqlite-log-store';
export { addColumnIfMissing, cachePreparedStatements } from './sqlite-statements';
export { toEpochMillis, type TimeInput } from './log/time';
export { collections, type CollectionName } from './run/collections';
export { mongoIndexes } from './run/mongo-documents';
export { MongoRunStore } from './run/mongo-run-store';
export {
  type Candidate,
  type Customization,
  type Dataset,
  type ErrorInfo,
  type Evaluation,
  type EvaluationSample,
  type EvaluationStats,
  type FlywheelRun,
  type JudgeRun,
  type NewCandidate,
  type NewCustomization,
  type NewDataset,
  type NewEvaluation,
  type NewJudgeRun,
  type NewRun,
  type Page,
  type PageRequest,
  type RunFilter,
  type RunStore,
} from './run/run-store';
export { sqliteSchema } from './run/sqlite-documents';
export { SqliteRunStore } from './run/sqlite-run-store';
export * from './run/statuses';
