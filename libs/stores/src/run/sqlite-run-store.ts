// The embedded RunStore: DocumentRunStore over SQLite (WAL, one file, or ':memory:' for tests).
import { type Sleep } from '../boot';
import { type SqliteConfigInput } from '../config';
import { DocumentRunStore } from './document-run-store';
import { SqliteDocuments } from './sqlite-documents';

export class SqliteRunStore extends DocumentRunStore {
  public constructor(config: SqliteConfigInput, options: { readonly now?: () => number; readonly sleep?: Sleep } = {}) {
    super(new SqliteDocuments(config, options), options.now);
  }
}
