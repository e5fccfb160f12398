// Test helpers for this library and its consumers' tests: sample payloads, never used by production code.
export { SAMPLE_OCCURRED_AT, SAMPLE_RUN_ID, sampleEvents } from './sample-events';
