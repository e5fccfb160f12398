// Curation: production log records in, eval / ICL / training / validation datasets and their statistics out.
export { classifyWorkload, type WorkloadClassification } from './classify';
export {
  CurationConfigError,
  CurationConfigSchema,
  DEFAULT_CURATION_CONFIG,
  parseServiceConfig,
  resolveJobConfig,
  type ConfigIssue,
  type CurationConfig,
  type CurationConfigInput,
  type CurationConfigOverride,
  type DataSplitConfig,
  type IclConfig,
  type TargetModel,
} from './config';
export {
  curate,
  type ClassCounts,
  type CurationDatasets,
  type CurationDeps,
  type CurationResult,
  type CurationStats,
} from './curate';
export { dedupe, dedupeKey } from './dedupe';
export { EmbeddingFailureError, InsufficientRecordsError } from './errors';
export { fromLlmCallLogged, ToolListInterner } from './from-llm-call-logged';
export { stringifyRequestArguments, toEvalRecord, toTrainingLine, type TrainDropRule } from './format';
export { type IclRecordStats, type IclReport, type IclTargetReport, DEFAULT_TARGET } from './icl/build-icl';
export { embedNormalized, nearestNeighbours, type EmbeddingClient } from './icl/embedding-client';
export { renderExample, type IclExample } from './icl/example';
export { ICL_PREAMBLE } from './icl/inject';
export { canonicalJson, parseJsonl, toJsonl, UnparseableLine } from './json';
export { parseJudgeScore } from './judge-score';
export { mulberry32, seededRandom } from './prng';
export { sampleRecords } from './sample';
export { classLabels, splitRecords, type SplitReport } from './split';
export { FakeEmbeddingClient } from './testing/fake-embedding-client';
export { chatRecord, deepFreeze, toolCallRecord, toolCallRecords } from './testing/log-records';
export { timestampToIso, timestampToMs } from './timestamp';
export { cl100kTokenCounter, TokenEstimator, withMargin, type TokenCounter } from './tokens';
export * from './types';
export { DROP_RULES, type DropCounts, type DropRule } from './validate';
