// The production RunStore: DocumentRunStore over MongoDB.
import { type Sleep } from '../boot';
import { type MongodbConfigInput } from '../config';
import { DocumentRunStore } from './document-run-store';
import { MongoDocuments } from './mongo-documents';

export class MongoRunStore extends DocumentRunStore {
  public constructor(
    config: MongodbConfigInput,
    options: { readonly now?: () => number; readonly sleep?: Sleep } = {},
  ) {
    super(new MongoDocuments(config, options), options.now);
  }
}
