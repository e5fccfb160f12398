// The run-state collections: their lookup paths (each one indexed), unique keys and list order. Both adapters
// derive their schema from this one table, so SQLite and MongoDB cannot drift apart.

export type CollectionName =
  'flywheel_runs' | 'candidates' | 'evaluations' | 'evaluation_samples' | 'customizations' | 'judge_runs' | 'datasets';

export interface CollectionSpec {
  /** Singular, for error messages. */
  readonly entity: string;
  /** Fields lists filter on; each is the leading key of an index whose tail is the sort key. */
  readonly filters: readonly string[];
  /** Keys unique besides the id (the id is always unique). */
  readonly unique: readonly (readonly string[])[];
  /** List order: this field, then the id, in this direction. */
  readonly sortField: string;
  readonly direction: 'asc' | 'desc';
}

export const collections: { readonly [C in CollectionName]: CollectionSpec } = {
  flywheel_runs: {
    entity: 'flywheel run',
    filters: ['workload_id', 'client_id', 'status'],
    unique: [],
    sortField: 'created_at',
    direction: 'desc',
  },
  candidates: {
    entity: 'candidate',
    filters: ['run_id'],
    unique: [['run_id', 'model_name']],
    sortField: 'created_at',
    direction: 'asc',
  },
  evaluations: {
    entity: 'evaluation',
    filters: ['run_id', 'candidate_id'],
    unique: [],
    sortField: 'created_at',
    direction: 'asc',
  },
  evaluation_samples: {
    entity: 'evaluation sample',
    filters: ['evaluation_id', 'run_id'],
    unique: [['evaluation_id', 'sample_index']],
    sortField: 'sample_index',
    direction: 'asc',
  },
  customizations: {
    entity: 'customization',
    filters: ['run_id', 'candidate_id', 'workload_id'],
    unique: [],
    sortField: 'created_at',
    direction: 'asc',
  },
  judge_runs: { entity: 'judge run', filters: ['run_id'], unique: [], sortField: 'created_at', direction: 'asc' },
  datasets: { entity: 'dataset', filters: ['run_id'], unique: [['name']], sortField: 'created_at', direction: 'asc' },
};

export const collectionNames = Object.keys(collections) as CollectionName[];

/** Every field an adapter indexes, for SQLite's generated columns. */
export function indexedFields(spec: CollectionSpec): string[] {
  return [...new Set([...spec.filters, ...spec.unique.flat(), spec.sortField])];
}
