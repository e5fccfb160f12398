// Datasets as the platform sees them: a namespace, a named dataset, files in it (JSONL).

export interface DatasetRef {
  namespace: string;
  name: string;
}

export interface DatasetFile {
  /** Path inside the dataset, e.g. `training/train_data.jsonl` or `eval_data.jsonl`. */
  path: string;
  content: string | Uint8Array;
}

export interface RegisteredDataset extends DatasetRef {
  /** Where the platform finds the files, e.g. `hf://datasets/dfwbp/my-dataset`. */
  filesUrl: string;
  description: string;
}

export interface DatasetStore {
  /** Creates the namespace if needed; an existing namespace is fine. */
  ensureNamespace(namespace: string): Promise<void>;
  /** Creates or replaces one file of the dataset (the dataset's file repository is created if needed). */
  uploadFile(dataset: DatasetRef, file: DatasetFile): Promise<void>;
  /** Registers the dataset (create or update) so jobs can refer to it; verified after writing. */
  registerDataset(dataset: DatasetRef, options?: { description?: string }): Promise<RegisteredDataset>;
  getDataset(dataset: DatasetRef): Promise<RegisteredDataset | null>;
  /** The file's text, or null when the dataset or file does not exist. */
  downloadFile(dataset: DatasetRef, path: string): Promise<string | null>;
  /** Removes files and registration; a missing dataset is fine. */
  deleteDataset(dataset: DatasetRef): Promise<void>;
}
