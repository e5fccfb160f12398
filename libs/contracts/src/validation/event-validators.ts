// Business validation per event: what the Avro schema cannot say (non-empty ids, ranges, finite scores).
// A payload that fails goes to the dead-letter topic instead of into a handler.
import {
  type CandidateDeployFailedV1,
  type CandidateDeployRequestedV1,
  type CandidateDeployedV1,
  type CandidateRecommendedV1,
  type CandidateFinishedV1,
  type CandidateReleasedV1,
  type CurationStatsV1,
  type CustomizationCompletedV1,
  type CustomizationFailedV1,
  type CustomizationProgressV1,
  type CustomizationStartedV1,
  type DatasetRefV1,
  type DatasetsBuiltV1,
  type DatasetsFailedV1,
  type ErrorInfoV1,
  type EvaluationCompletedV1,
  type EvaluationFailedV1,
  type EvaluationProgressV1,
  type EvaluationStartedV1,
  type LlmCallLoggedV1,
  type LogsIngestedV1,
  type ModelPromotedV1,
  type ModelRolledBackV1,
  type RunCancelRequestedV1,
  type RunCancelledV1,
  type RunCompletedV1,
  type RunDeletedV1,
  type RunFailedV1,
  type RunRequestedV1,
  type RunStartedV1,
  type StageProgressV1,
} from '../generated';
import {
  type Check,
  count,
  counts,
  finite,
  finiteScores,
  fraction,
  nonEmpty,
  optionalNonEmpty,
  percent,
  timestamp,
  url,
  uuid,
} from './checks';

interface RunEnvelope {
  readonly event_id: string;
  readonly run_id: string;
  readonly occurred_at: number;
}

function envelope(e: RunEnvelope): Check[] {
  return [uuid('event_id', e.event_id), nonEmpty('run_id', e.run_id), timestamp('occurred_at', e.occurred_at)];
}

function error(e: ErrorInfoV1): Check[] {
  return [nonEmpty('error.code', e.code), nonEmpty('error.message', e.message)];
}

function dataset(field: string, d: DatasetRefV1 | null): Check[] {
  if (d === null) return [];
  return [
    nonEmpty(`${field}.name`, d.name),
    nonEmpty(`${field}.uri`, d.uri),
    count(`${field}.record_count`, d.record_count),
  ];
}

function curation(c: CurationStatsV1): Check[] {
  return [
    count('curation.records_read', c.records_read),
    count('curation.records_selected', c.records_selected),
    c.records_selected <= c.records_read ? undefined : 'curation.records_selected must not exceed records_read',
    ...counts('curation.dropped_by_rule', c.dropped_by_rule),
  ];
}

export function validateLlmCallLogged(e: LlmCallLoggedV1): Check[] {
  const { request, response } = e;
  return [
    uuid('event_id', e.event_id),
    optionalNonEmpty('log_id', e.log_id),
    nonEmpty('workload_id', e.workload_id),
    nonEmpty('client_id', e.client_id),
    timestamp('timestamp', e.timestamp),
    nonEmpty('request.model', request.model),
    request.messages.length > 0 ? undefined : 'request.messages must not be empty',
    response.choices.length > 0 ? undefined : 'response.choices must not be empty',
    finite('request.temperature', request.temperature),
    finite('request.top_p', request.top_p),
    count('request.max_tokens', request.max_tokens),
    count('latency_ms', e.latency_ms),
    finite('feedback.score', e.feedback?.score ?? null),
  ];
}

export function validateLogsIngested(e: LogsIngestedV1): Check[] {
  return [
    uuid('event_id', e.event_id),
    nonEmpty('workload_id', e.workload_id),
    timestamp('occurred_at', e.occurred_at),
    timestamp('window_start', e.window_start),
    e.window_start <= e.occurred_at ? undefined : 'window_start must not be after occurred_at',
    count('records_since_last', e.records_since_last),
    count('total_records', e.total_records),
    timestamp('newest_record_at', e.newest_record_at),
    ...e.client_ids.map((c, i) => nonEmpty(`client_ids[${i}]`, c)),
    nonEmpty('ingester_instance', e.ingester_instance),
  ];
}

export function validateRunRequested(e: RunRequestedV1): Check[] {
  const names = e.candidates.map((c) => c.model_name);
  return [
    ...envelope(e),
    nonEmpty('workload_id', e.workload_id),
    nonEmpty('client_id', e.client_id),
    nonEmpty('requested_by', e.requested_by),
    timestamp('requested_at', e.requested_at),
    e.candidates.length > 0 ? undefined : 'candidates must not be empty',
    ...names.map((name, i) => nonEmpty(`candidates[${i}].model_name`, name)),
    new Set(names).size === names.length ? undefined : 'candidates must not repeat a model',
    fraction('data_split.val_ratio', e.data_split?.val_ratio ?? null),
    count('data_split.eval_size', e.data_split?.eval_size ?? null),
    count('data_split.limit', e.data_split?.limit ?? null),
    count('icl.max_examples', e.icl?.max_examples ?? null),
    fraction('lora.adapter_dropout', e.lora?.adapter_dropout ?? null),
    finite('training.learning_rate', e.training?.learning_rate ?? null),
  ];
}

export function validateRunStarted(e: RunStartedV1): Check[] {
  return [
    ...envelope(e),
    nonEmpty('workload_id', e.workload_id),
    nonEmpty('client_id', e.client_id),
    e.candidate_models.length > 0 ? undefined : 'candidate_models must not be empty',
    nonEmpty('config_hash', e.config_hash),
  ];
}

export function validateRunCancelRequested(e: RunCancelRequestedV1): Check[] {
  return [...envelope(e), nonEmpty('requested_by', e.requested_by)];
}

export function validateRunCompleted(e: RunCompletedV1): Check[] {
  return [
    ...envelope(e),
    count('summary.num_records', e.summary.num_records),
    count('duration_ms', e.duration_ms),
    ...e.summary.candidates.map((c, i) => nonEmpty(`summary.candidates[${i}].model_name`, c.model_name)),
    optionalNonEmpty('summary.recommended_model', e.summary.recommended_model),
  ];
}

export function validateRunFailed(e: RunFailedV1): Check[] {
  return [...envelope(e), ...error(e.error)];
}

export function validateRunCancelled(e: RunCancelledV1): Check[] {
  return [...envelope(e), nonEmpty('requested_by', e.requested_by)];
}

export function validateRunDeleted(e: RunDeletedV1): Check[] {
  return [...envelope(e), nonEmpty('deleted_by', e.deleted_by)];
}

export function validateStageProgress(e: StageProgressV1): Check[] {
  return [...envelope(e), percent('percent', e.percent), optionalNonEmpty('model_name', e.model_name)];
}

export function validateDatasetsBuilt(e: DatasetsBuiltV1): Check[] {
  return [
    ...envelope(e),
    nonEmpty('workload_id', e.workload_id),
    nonEmpty('client_id', e.client_id),
    ...dataset('eval', e.eval),
    ...dataset('icl', e.icl),
    ...e.icl_by_model.flatMap((m, i) => [
      nonEmpty(`icl_by_model[${i}].model_name`, m.model_name),
      ...dataset(`icl_by_model[${i}].dataset`, m.dataset),
    ]),
    ...dataset('train', e.train),
    ...dataset('val', e.val),
    ...curation(e.curation),
    ...e.lineage.offset_ranges.map((r, i) =>
      r.from_offset >= 0 && r.to_offset >= r.from_offset && r.partition >= 0
        ? nonEmpty(`lineage.offset_ranges[${i}].topic`, r.topic)
        : `lineage.offset_ranges[${i}] must have 0 <= from_offset <= to_offset and partition >= 0`,
    ),
    nonEmpty('config_hash', e.config_hash),
  ];
}

export function validateDatasetsFailed(e: DatasetsFailedV1): Check[] {
  return [
    ...envelope(e),
    nonEmpty('workload_id', e.workload_id),
    ...error(e.error),
    ...(e.curation ? curation(e.curation) : []),
  ];
}

export function validateCandidateDeployRequested(e: CandidateDeployRequestedV1): Check[] {
  return [
    ...envelope(e),
    nonEmpty('model_name', e.model_name),
    count('gpus', e.gpus),
    count('context_length', e.context_length),
  ];
}

export function validateCandidateDeployed(e: CandidateDeployedV1): Check[] {
  return [
    ...envelope(e),
    nonEmpty('model_name', e.model_name),
    nonEmpty('deployment_id', e.deployment_id),
    url('endpoint_url', e.endpoint_url),
  ];
}

export function validateCandidateDeployFailed(e: CandidateDeployFailedV1): Check[] {
  return [...envelope(e), nonEmpty('model_name', e.model_name), ...error(e.error)];
}

export function validateCandidateReleased(e: CandidateReleasedV1): Check[] {
  return [...envelope(e), nonEmpty('model_name', e.model_name), optionalNonEmpty('deployment_id', e.deployment_id)];
}

export function validateCandidateFinished(e: CandidateFinishedV1): Check[] {
  return [
    ...envelope(e),
    nonEmpty('model_name', e.model_name),
    e.status === 'completed' || e.error !== null ? undefined : `error is required when status is ${e.status}`,
  ];
}

export function validateCustomizationStarted(e: CustomizationStartedV1): Check[] {
  const t = e.training;
  return [
    ...envelope(e),
    nonEmpty('model_name', e.model_name),
    nonEmpty('job_id', e.job_id),
    nonEmpty('output_model_name', e.output_model_name),
    nonEmpty('train_dataset', e.train_dataset),
    t.epochs > 0 && Number.isSafeInteger(t.epochs) ? undefined : 'training.epochs must be a whole number > 0',
    t.batch_size > 0 && Number.isSafeInteger(t.batch_size)
      ? undefined
      : 'training.batch_size must be a whole number > 0',
    Number.isFinite(t.learning_rate) && t.learning_rate > 0 ? undefined : 'training.learning_rate must be > 0',
    fraction('training.adapter_dropout', t.adapter_dropout),
  ];
}

export function validateCustomizationProgress(e: CustomizationProgressV1): Check[] {
  return [
    ...envelope(e),
    nonEmpty('model_name', e.model_name),
    nonEmpty('job_id', e.job_id),
    percent('percent', e.percent),
    count('epoch', e.epoch),
    count('step', e.step),
    finite('train_loss', e.train_loss),
    finite('val_loss', e.val_loss),
  ];
}

export function validateCustomizationCompleted(e: CustomizationCompletedV1): Check[] {
  return [
    ...envelope(e),
    nonEmpty('model_name', e.model_name),
    nonEmpty('job_id', e.job_id),
    nonEmpty('customized_model_name', e.customized_model_name),
    count('epochs_completed', e.epochs_completed),
    count('steps_completed', e.steps_completed),
    finite('final_train_loss', e.final_train_loss),
    finite('final_val_loss', e.final_val_loss),
    count('duration_ms', e.duration_ms),
  ];
}

export function validateCustomizationFailed(e: CustomizationFailedV1): Check[] {
  return [
    ...envelope(e),
    nonEmpty('model_name', e.model_name),
    optionalNonEmpty('job_id', e.job_id),
    ...error(e.error),
  ];
}

export function validateEvaluationStarted(e: EvaluationStartedV1): Check[] {
  return [
    ...envelope(e),
    nonEmpty('model_name', e.model_name),
    nonEmpty('target_model', e.target_model),
    nonEmpty('job_id', e.job_id),
    nonEmpty('dataset_name', e.dataset_name),
  ];
}

export function validateEvaluationProgress(e: EvaluationProgressV1): Check[] {
  return [
    ...envelope(e),
    nonEmpty('model_name', e.model_name),
    nonEmpty('job_id', e.job_id),
    percent('percent', e.percent),
  ];
}

export function validateEvaluationCompleted(e: EvaluationCompletedV1): Check[] {
  return [
    ...envelope(e),
    nonEmpty('model_name', e.model_name),
    nonEmpty('target_model', e.target_model),
    nonEmpty('job_id', e.job_id),
    Object.keys(e.scores).length > 0 ? undefined : 'scores must not be empty',
    ...finiteScores('scores', e.scores),
    count('sample_count', e.sample_count),
    count('failed_sample_count', e.failed_sample_count),
    count('duration_ms', e.duration_ms),
  ];
}

export function validateEvaluationFailed(e: EvaluationFailedV1): Check[] {
  return [
    ...envelope(e),
    nonEmpty('model_name', e.model_name),
    optionalNonEmpty('job_id', e.job_id),
    ...error(e.error),
  ];
}

export function validateCandidateRecommended(e: CandidateRecommendedV1): Check[] {
  const names = new Set(e.candidates.flatMap((c) => [c.model_name, c.customized_model_name ?? c.model_name]));
  return [
    ...envelope(e),
    nonEmpty('workload_id', e.workload_id),
    nonEmpty('baseline.model_name', e.baseline.model_name),
    ...finiteScores('baseline.scores', e.baseline.scores),
    nonEmpty('primary_metric', e.primary_metric),
    finite('threshold', e.threshold),
    ...e.candidates.flatMap((c, i) => [
      nonEmpty(`candidates[${i}].model_name`, c.model_name),
      ...c.evaluations.flatMap((ev, j) => [
        ...finiteScores(`candidates[${i}].evaluations[${j}].scores`, ev.scores),
        ...finiteScores(`candidates[${i}].evaluations[${j}].delta_vs_baseline`, ev.delta_vs_baseline),
        count(`candidates[${i}].evaluations[${j}].sample_count`, ev.sample_count),
      ]),
    ]),
    e.recommended_model === null || names.has(e.recommended_model)
      ? undefined
      : 'recommended_model must be one of the candidates (or its customized model)',
    (e.recommended_model === null) === (e.recommended_eval_type === null)
      ? undefined
      : 'recommended_model and recommended_eval_type are set together or not at all',
    nonEmpty('rationale', e.rationale),
  ];
}

export function validateModelPromoted(e: ModelPromotedV1): Check[] {
  return [
    ...envelope(e),
    nonEmpty('workload_id', e.workload_id),
    nonEmpty('model_name', e.model_name),
    nonEmpty('promoted_by', e.promoted_by),
    optionalNonEmpty('previous_model', e.previous_model),
  ];
}

export function validateModelRolledBack(e: ModelRolledBackV1): Check[] {
  return [
    ...envelope(e),
    nonEmpty('workload_id', e.workload_id),
    nonEmpty('model_name', e.model_name),
    nonEmpty('restored_model', e.restored_model),
    nonEmpty('rolled_back_by', e.rolled_back_by),
  ];
}
