// Picks an adapter from validated config, so a service's wiring is one call and the backend one config value.
import { type Sleep } from './boot';
import {
  logStoreConfigSchema,
  parseStoreConfig,
  runStoreConfigSchema,
  type LogStoreConfigInput,
  type RunStoreConfigInput,
} from './config';
import { ElasticsearchLogStore } from './log/elasticsearch-log-store';
import { type LogStore } from './log/log-store';
import { SqliteLogStore } from './log/sqlite-log-store';
import { MongoRunStore } from './run/mongo-run-store';
import { type RunStore } from './run/run-store';
import { SqliteRunStore } from './run/sqlite-run-store';

export interface StoreOptions {
  readonly now?: () => number;
  readonly sleep?: Sleep;
}

/** Not connected yet: call connect() (it retries per `boot`) and report health() on the readiness endpoint. */
export function createLogStore(input: LogStoreConfigInput, options: StoreOptions = {}): LogStore {
  const config = parseStoreConfig(logStoreConfigSchema, input);
  switch (config.kind) {
    case 'sqlite':
      return new SqliteLogStore(config, options);
    case 'elasticsearch':
      return new ElasticsearchLogStore(config, options);
  }
}

export function createRunStore(input: RunStoreConfigInput, options: StoreOptions = {}): RunStore {
  const config = parseStoreConfig(runStoreConfigSchema, input);
  switch (config.kind) {
    case 'sqlite':
      return new SqliteRunStore(config, options);
    case 'mongodb':
      return new MongoRunStore(config, options);
  }
}
