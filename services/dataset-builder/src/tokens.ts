// Injection tokens of providers that are not classes of their own (tsx emits no decorator metadata, so every
// injection names its token).
export const BUILDER_CONFIG = Symbol('dataset-builder.config');
export const LOG_STORE = Symbol('dataset-builder.log-store');
export const DATASET_STORE = Symbol('dataset-builder.dataset-store');
export const RUN_STATE = Symbol('dataset-builder.run-state');
export const EMBEDDINGS = Symbol('dataset-builder.embeddings');

/**
 * Cancellations and deletions are consumed in a consumer group of their own, so on Kafka a cancel is recorded while
 * a build of the same run is in progress (one group handles its records one at a time) and the build stops at its
 * next stage.
 */
export const CONTROL_GROUP_ID = 'dataset-builder.control';
