// DatasetStore for the OpenAI-compatible backend, where evaluation runs in-process: files live in memory.
import { type DatasetFile, type DatasetRef, type DatasetStore, type RegisteredDataset } from '../ports/dataset-store';

interface StoredDataset {
  files: Map<string, string>;
  registration: RegisteredDataset | null;
}

export class InMemoryDatasetStore implements DatasetStore {
  private readonly namespaces = new Set<string>();
  private readonly datasets = new Map<string, StoredDataset>();

  public ensureNamespace(namespace: string): Promise<void> {
    this.namespaces.add(namespace);
    return Promise.resolve();
  }

  public uploadFile(dataset: DatasetRef, file: DatasetFile): Promise<void> {
    const text = typeof file.content === 'string' ? file.content : new TextDecoder().decode(file.content);
    this.entry(dataset).files.set(file.path, text);
    return Promise.resolve();
  }

  public registerDataset(dataset: DatasetRef, options: { description?: string } = {}): Promise<RegisteredDataset> {
    const registration = {
      ...dataset,
      filesUrl: `memory://datasets/${dataset.namespace}/${dataset.name}`,
      description: options.description ?? '',
    };
    this.entry(dataset).registration = registration;
    return Promise.resolve(registration);
  }

  public getDataset(dataset: DatasetRef): Promise<RegisteredDataset | null> {
    return Promise.resolve(this.datasets.get(key(dataset))?.registration ?? null);
  }

  public downloadFile(dataset: DatasetRef, path: string): Promise<string | null> {
    return Promise.resolve(this.datasets.get(key(dataset))?.files.get(path) ?? null);
  }

  public deleteDataset(dataset: DatasetRef): Promise<void> {
    this.datasets.delete(key(dataset));
    return Promise.resolve();
  }

  private entry(dataset: DatasetRef): StoredDataset {
    let entry = this.datasets.get(key(dataset));
    if (!entry) {
      entry = { files: new Map(), registration: null };
      this.datasets.set(key(dataset), entry);
    }
    return entry;
  }
}

function key(d: DatasetRef): string {
  return `${d.namespace}/${d.name}`;
}
