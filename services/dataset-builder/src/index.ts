// The dataset-builder's parts, for its tests and for starting it inside another process (the CLI's `up`).
export {
  BuildDatasets,
  BuildFailure,
  type BuildDeps,
  type BuildResult,
  type BuildSettings,
} from './build/build-datasets';
export { datasetNameOf, eventIdOf, seedOf, uuidV5 } from './build/deterministic-ids';
export { builderEnv, loadBuilderConfig, type BuilderConfig } from './config/builder-config';
export {
  DatasetBuilderModule,
  SERVICE_NAME,
  type BuilderOverrides,
  type EmbeddingEndpoint,
} from './dataset-builder.module';
export { SqliteRunStateStore, type RunStateStore } from './state/run-state-store';
